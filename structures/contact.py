"""« Contacter la structure »: what its identity makes public, or, when nothing is, a form whose message is relayed
by e-mail to its team (never showing their addresses), through the notifications outbox.

- `public_contact(structure)`: the public ways to reach it (phone, e-mail, website, address, opening hours).
- `ContactForm`: name, e-mail to answer to, message; a honeypot field that people never fill in.
- `allowed(request)`: at most CONTACT_RATE messages per client address and hour (`settings.RATELIMIT_CONTACT`).
- `relay(structure, form)`: queues one message per recipient in the caller's transaction: the structure's active
  team, or, if it has none, the federation staff who cover it (they pass it on). Returns how many.
"""

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from fcsf_actions import ratelimit
from notifications import outbox, services

MESSAGE_MAX_LENGTH = 3000
HONEYPOT = "site_internet"  # a name a spam robot fills in; hidden from people (and from assistive technologies)


def public_contact(structure):
    """{"telephone", "email", "site_web", "adresse", "horaires"}: the non-empty ones; {} when none is public."""
    address = ""
    if structure.adresse or structure.commune_id:
        commune = structure.commune.nom if structure.commune_id else ""
        address = "\n".join(part for part in [structure.adresse, f"{structure.code_postal} {commune}".strip()] if part)
    found = {
        "telephone": structure.telephone,
        "email": structure.email,
        "site_web": structure.site_web,
        "adresse": address,
        "horaires": structure.horaires.strip(),
    }
    return {name: value for name, value in found.items() if value}


class ContactForm(forms.Form):
    nom = forms.CharField(label="Votre nom", max_length=100, required=False)
    email = forms.EmailField(
        label="Votre adresse électronique",
        max_length=254,
        help_text="Pour que la structure puisse vous répondre, p. ex. prenom.nom@example.org.",
        error_messages={
            "required": "Indiquez votre adresse électronique : la structure en a besoin pour vous répondre.",
            "invalid": "Cette adresse électronique n’est pas valable : vérifiez-la (p. ex. prenom.nom@example.org).",
        },
    )
    message = forms.CharField(
        label="Votre message",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Écrivez votre message.",
            "max_length": f"Votre message est trop long : {MESSAGE_MAX_LENGTH} caractères au plus.",
        },
    )
    site_internet = forms.CharField(label="Ne pas remplir ce champ", required=False, max_length=200)

    def is_robot(self):
        return bool(self.data.get(HONEYPOT, "").strip())


def contact_rate():
    limit, window = ratelimit.parse_rate(getattr(settings, "RATELIMIT_CONTACT_RATE", "5/3600"))
    return limit, window


def allowed(request):
    """Counts this message for the client's address; False past the limit (or always True when limiting is off)."""
    if not settings.RATELIMIT_ENABLED:
        return True
    limit, window = contact_rate()
    client = ratelimit.client_address(request, settings.RATELIMIT_TRUSTED_PROXIES)
    count, _retry_after = ratelimit.hit(f"contact:{client}", window)
    return count <= limit


def recipients(structure):
    users = services.team(structure) or services.federation_staff(structure)
    return [user for user in users if user.email]


def relay(structure, form):
    data = form.cleaned_data
    context = {
        "structure": structure,
        "nom": data["nom"].strip(),
        "email": data["email"],
        "message": data["message"].strip(),
        "structure_url": services.absolute_url(structure.get_absolute_url()),
    }
    subject = f"Un message pour {structure.nom} depuis le catalogue des actions"
    context.update(subject=subject, site_url=services.absolute_url("/"))
    messages = []
    with translation.override("fr"):
        body_text = render_to_string("structures/contact_email.txt", context)
        body_html = render_to_string("structures/contact_email.html", context)
    for user in recipients(structure):
        messages.append(outbox.Message(user.email, subject, body_text, body_html, user=user))
    outbox.enqueue(messages)
    return len(messages)
