from django import template

from accounts.home import home_context

register = template.Library()


@register.inclusion_tag("admin/accounts/home.html", takes_context=True)
def staff_home(context):
    request = context.get("request")
    home = home_context(request.user) if request is not None else None
    return {"home": home, "request": request}
