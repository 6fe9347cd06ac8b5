"""The catalogue as data: which tables it is made of, a portable copy of them, and a checksum to compare copies.

The catalogue is the public content: référentiels (régions, départements, communes), structures, vocabularies
and actions with their lists. Accounts, sessions and the change history are not in it (they reference users:
the PostgreSQL dump of scripts/backup.sh holds everything). The catalogue version is not either: it only
invalidates cached counts, and an import raises it.

`summary()` gives, per table, its number of rows and a SHA-256 of its content (every column of every row, in
primary key order; link tables of the lists without their own ids, which a reload renumbers): two databases with
equal summaries hold the same catalogue, whatever their server.
"""

import datetime
import hashlib
import json

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections

CATALOGUE_APPS = ("structures", "actions")
NOT_CATALOGUE = {
    "actions.catalogueversion",  # bookkeeping of the caches
    "actions.cataloguechange",
    # Back-office data tied to accounts, never read by the public pages, counts, API or exports (so not watched by
    # catalogue_version_watch either): proposals of vocabulary entries, the workflow's records and pending revisions.
    "actions.vocabularyproposal",
    "actions.transitionrecord",
    "actions.revision",
}


def catalogue_models():
    """The catalogue's models, link tables included, in a stable order."""
    models = []
    for app_label in CATALOGUE_APPS:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if model._meta.label_lower in NOT_CATALOGUE or model.__name__.startswith("Historical"):
                continue
            if not model._meta.managed or model._meta.proxy:  # database views, other names for a table
                continue
            models.append(model)
    return sorted(models, key=lambda model: model._meta.label_lower)


def _rows(model, using):
    manager = model._base_manager.using(using)
    if model._meta.auto_created:
        columns = sorted(field.attname for field in model._meta.concrete_fields if not field.primary_key)
        return sorted(manager.values_list(*columns))
    columns = [field.attname for field in model._meta.concrete_fields]
    return manager.order_by("pk").values_list(*columns).iterator(chunk_size=2000)


def summary(using="default", models=None):
    """{table label: {"lignes": rows, "empreinte": sha256}} for every catalogue table (or for `models`)."""
    result = {}
    for model in catalogue_models() if models is None else models:
        digest, count = hashlib.sha256(), 0
        for row in _rows(model, using):
            digest.update(json.dumps(row, default=str, ensure_ascii=False).encode())
            digest.update(b"\n")
            count += 1
        result[model._meta.label_lower] = {"lignes": count, "empreinte": digest.hexdigest()}
    return result


def checksum(using="default"):
    """One SHA-256 over the whole summary."""
    return hashlib.sha256(json.dumps(summary(using), sort_keys=True).encode()).hexdigest()


def clear_catalogue(using="default"):
    """Deletes every catalogue row, without the ORM's cascade (the caller reloads the same rows, in the same
    transaction: foreign keys are checked at commit, so any reference left dangling fails the whole import)."""
    connection = connections[using]
    for model in reversed(catalogue_models()):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to the millisecond: a copy must keep them to the microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _serialized_fields(model):
    # Lists travel as their link tables' own rows: one query per table instead of one per action and list.
    return [field.name for field in model._meta.concrete_fields if not field.primary_key]


def export_catalogue(stream, using="default"):
    """Writes the catalogue to `stream` as JSON Lines, one row per line, in Django's fixture format."""
    for model in catalogue_models():
        rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000)
        serializers.serialize("jsonl", rows, stream=stream, fields=_serialized_fields(model), cls=ExactJSONEncoder)


def load_catalogue(stream, using="default"):
    """Inserts the rows of an `export_catalogue` file as they are (no `save()`, no `auto_now`), many per query.
    Call inside a transaction, after clear_catalogue. Returns the models loaded."""
    connection = connections[using]
    pending, models = [], []
    for item in serializers.deserialize("jsonl", stream, using=using):
        if pending and type(pending[0]) is not type(item.object):
            _insert(pending, connection)
            pending = []
        if type(item.object) not in models:
            models.append(type(item.object))
        pending.append(item.object)
    if pending:
        _insert(pending, connection)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    return models


def _insert(objects, connection):
    model = type(objects[0])
    fields = model._meta.concrete_fields
    size = connection.ops.bulk_batch_size(fields, objects)
    for start in range(0, len(objects), size):
        # raw=True: the values of the file, as `loaddata` writes them (bulk_create would stamp auto_now fields).
        model._base_manager.using(connection.alias)._insert(objects[start : start + size], fields=fields, raw=True)
