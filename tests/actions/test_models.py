import pytest

from actions.models import Action, MotCle, Public
from tests.actions.factories import ActionFactory


@pytest.mark.django_db
class TestPublication:
    def test_only_published_actions_are_public(self):
        published = ActionFactory(state=Action.State.PUBLIEE)
        for state in [Action.State.BROUILLON, Action.State.SOUMISE, Action.State.ARCHIVEE]:
            ActionFactory(state=state)
        assert list(Action.objects.published()) == [published]
        assert Action.objects.count() == 4

    def test_publishing_stamps_the_date_once(self):
        action = ActionFactory(state=Action.State.BROUILLON)
        assert action.published_at is None
        action.state = Action.State.PUBLIEE
        action.save()
        first = action.published_at
        assert first is not None
        action.save()
        assert action.published_at == first

    @pytest.mark.parametrize("state", ["brouillon", "soumise", "archivee"])
    def test_unpublished_detail_is_404(self, client, state):
        action = ActionFactory(state=state)
        assert client.get(f"/actions/{action.slug}/").status_code == 404

    def test_published_detail_is_200(self, client):
        action = ActionFactory()
        assert client.get(action.get_absolute_url()).status_code == 200


@pytest.mark.django_db
class TestVocabulary:
    def test_labels_match_whatever_their_case_and_accents(self):
        familles = Public.objects.get(libelle="familles")
        assert Public.objects.get_or_create_by_label("Familles") == (familles, False)
        assert MotCle.objects.get_or_create_by_label("EDUCATION / SCOLARITE")[0].libelle == "éducation / scolarité"

    def test_new_labels_go_to_the_end_and_keep_their_spelling(self):
        last = MotCle.objects.order_by("position").last()
        entry, created = MotCle.objects.get_or_create_by_label("Numérique")
        assert created and entry.libelle == "Numérique" and entry.position == last.position + 1
        assert entry.slug == "numerique"

    def test_slugs_are_unique(self):
        first = ActionFactory(titre="Jardin partagé")
        second = ActionFactory(titre="Jardin partagé")
        assert (first.slug, second.slug) == ("jardin-partage", "jardin-partage-2")


@pytest.mark.django_db
class TestTextCompression:
    """Migration 0018: the fiches' long texts are compressed with lz4 (the Debian PostgreSQL 15 the project
    installs has it), cheaper to write than pglz; a text column added later must be added to it."""

    TABLES = ["actions_action", "actions_historicalaction", "actions_revision"]

    def test_every_text_column_of_the_fiche_tables_uses_lz4(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attrelid::regclass::text, attname, attcompression FROM pg_attribute "
                "WHERE attrelid = ANY(%s::regclass[]) AND attnum > 0 AND NOT attisdropped "
                "AND atttypid IN ('text'::regtype, 'jsonb'::regtype)",
                [self.TABLES],
            )
            columns = cursor.fetchall()
        assert len(columns) >= 30
        assert [column for column in columns if column[2] != "l"] == []

    def test_a_long_text_is_stored_compressed_with_lz4(self):
        from django.db import connection

        action = ActionFactory(description_experience="Un atelier de cuisine partagée. " * 400)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_compression(description_experience) FROM actions_action WHERE id = %s", [action.pk]
            )
            assert cursor.fetchone()[0] == "lz4"
            cursor.execute(
                "SELECT pg_column_compression(description_experience) FROM actions_historicalaction WHERE id = %s",
                [action.pk],
            )
            assert {row[0] for row in cursor.fetchall()} == {"lz4"}
