from django import forms
from django.db import models
from django.utils.functional import cached_property


class NormalizedCharField(models.CharField):
    """A CharField stored in a normal form: `normalize(text)` runs before validation, in forms, imports and
    `full_clean()` alike, so « 123 456 789 00012 » is stored « 12345678900012 ».

    Its form field accepts `input_max_length` characters (spaces included), the stored value `max_length`.
    """

    def __init__(self, *args, normalize, input_max_length=40, **kwargs):
        self.normalize = normalize
        self.input_max_length = input_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["normalize"] = self.normalize
        if self.input_max_length != 40:
            kwargs["input_max_length"] = self.input_max_length
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalize(value) if value else value

    @cached_property
    def validators(self):
        # The field's own check first: it says more than « at most N characters ».
        return [*self._validators, *(v for v in super().validators if v not in self._validators)]

    def run_validators(self, value):
        """Stops at the first error: one message, the most precise one."""
        if value in self.empty_values:
            return
        for validator in self.validators:
            validator(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": self.input_max_length, "form_class": forms.CharField, **kwargs})
