from django import template

from actions import workflow

register = template.Library()


@register.simple_tag
def waiting_count(user):
    """The number of soumise fiches waiting in `user`'s moderation scope (actions/workflow.py)."""
    return workflow.waiting_count(user)
