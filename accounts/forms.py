"""Login and password forms: the login throttle's message, password reset e-mails through the outbox."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from accounts import audit, throttle
from accounts.mail import absolute_url, queue_account_email


class LoginForm(AdminAuthenticationForm):
    """The back-office login: an identifier or address that must wait is told so, without saying whether the
    account exists."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect. Vérifiez-les (majuscules comprises), ou suivez "
        "le lien « Mot de passe oublié ? ».",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            wait = getattr(self.request, "fcsf_login_wait", None)
            if wait:
                raise ValidationError(throttle.wait_message(wait), code="throttled") from None
            raise


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form; the e-mail is queued in the outbox (accounts.mail), never sent directly."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.conf import settings
        from django.urls import reverse

        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue_account_email(
            to=to_email,
            subject=subject,
            template="accounts/email/password_reset",
            context={
                "user": user,
                "reset_url": absolute_url(path),
                "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            },
            user=user,
        )
        audit.record(audit.Kind.PASSWORD_RESET_REQUESTED, user=user, detail=f"lien envoyé à {to_email}")


class AuditedSetPasswordForm(SetPasswordForm):
    """The new password chosen from a reset link; the change is logged."""

    def save(self, commit=True):
        user = super().save(commit)
        audit.record(audit.Kind.PASSWORD_RESET, user=user, actor=user)
        return user
