from django import forms, template

register = template.Library()


@register.filter
def field_kind(bound_field) -> str:
    """How the form template lays out a field: "checkbox", "choices" (a group with a legend), "hidden" or "text"."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    return "text"
