"""French words for the back-office's generic pages (history): a field's verbose name rather than its code."""

from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter
def field_label(obj, name):
    """The verbose name of the field `name` of `obj`'s model (a historical record too), capitalised."""
    model = getattr(obj, "instance_type", None) or type(obj)
    try:
        label = model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name
    return str(label)[:1].upper() + str(label)[1:]
