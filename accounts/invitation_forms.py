"""The invitation form (inviter side) and the form that accepts an invitation (set a password)."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from accounts import perms
from accounts.models import Invitation
from structures.models import Departement, Region, Structure

CHECKBOXES_UP_TO = 12  # a short list reads best as checkboxes; a long one as a list to pick from


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail de la personne",
        help_text="Elle recevra un lien pour choisir son mot de passe. Si elle a déjà un compte, le rôle y est ajouté.",
    )
    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)
    structures = forms.ModelMultipleChoiceField(
        label="Structure(s)",
        queryset=Structure.objects.none(),
        required=False,
        help_text="Pour l’équipe de centre : les structures où la personne travaille.",
    )
    national = forms.BooleanField(
        label="Tout le territoire national",
        required=False,
        help_text="Pour l’équipe de fédération nationale.",
    )
    regions = forms.ModelMultipleChoiceField(
        label="Régions", queryset=Region.objects.none(), required=False, help_text="Pour une fédération régionale."
    )
    departements = forms.ModelMultipleChoiceField(
        label="Départements",
        queryset=Departement.objects.none(),
        required=False,
        help_text="Pour une fédération départementale.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        roles = perms.invitable_roles(user)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0].value
        structures = Structure.objects.filter(perms.invitable_structures_q(user)).select_related("departement")
        self.fields["structures"].queryset = structures.order_by("nom", "pk")
        count = structures.count()
        if count <= CHECKBOXES_UP_TO:
            self.fields["structures"].widget = forms.CheckboxSelectMultiple()
            self.fields["structures"].widget.choices = self.fields["structures"].choices
        else:
            self.fields["structures"].widget.attrs["size"] = 10
        if Invitation.Role.FEDERATION in roles:
            scope = perms.get_scope(user)
            everything = scope.superuser or scope.national
            regions = Region.objects.all() if everything else Region.objects.filter(pk__in=scope.region_ids)
            self.fields["regions"].queryset = regions.order_by("nom")
            self.fields["departements"].queryset = Departement.objects.filter(perms.departement_scope_q(user)).order_by(
                "code"
            )
            self.fields["regions"].widget.attrs["size"] = 8
            self.fields["departements"].widget.attrs["size"] = 10
            if not everything:
                del self.fields["national"]
            if not regions.exists():
                del self.fields["regions"]
        else:
            for name in ("national", "regions", "departements"):
                del self.fields[name]
        if count == 1:
            self.fields["structures"].initial = list(structures)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        if role == Invitation.Role.CENTRE:
            territory = {"structures": list(cleaned.get("structures") or [])}
            field = "structures"
        else:
            territory = {
                "national": cleaned.get("national", False),
                "regions": list(cleaned.get("regions") or []),
                "departements": list(cleaned.get("departements") or []),
            }
            field = "departements" if "departements" in self.fields else None
        error = perms.invitation_error(self.user, role, **territory)
        if error:
            self.add_error(field, error)
        cleaned["territory"] = territory
        return cleaned


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(
        label="Identifiant",
        max_length=150,
        help_text="Celui que vous taperez pour vous connecter ; votre adresse e-mail convient.",
    )
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins ; une phrase de quelques mots que vous retiendrez convient très bien.",
    )
    password2 = forms.CharField(
        label="Le même mot de passe, pour vérifier",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["username"].initial = invitation.email
        self.fields["username"].widget.attrs["autocomplete"] = "username"

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("Cet identifiant est déjà pris : choisissez-en un autre.")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques : tapez-les de nouveau.")
            return cleaned
        if password1:
            user = get_user_model()(
                username=cleaned.get("username", ""),
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
