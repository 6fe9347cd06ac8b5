from django import forms

from notifications.models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["frequency"]
        labels = {"frequency": "Recevoir les notifications sur les fiches"}
        widgets = {"frequency": forms.RadioSelect}
        help_texts = {
            "frequency": "Le résumé part chaque matin et regroupe tout ce qui s’est passé depuis le précédent.",
        }
