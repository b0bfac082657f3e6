"""What a browser submits from an admin change form."""

from django.db.models.fields.files import FieldFile
from django.forms import MultiWidget


def browser_post_data(response):
    """What a browser submits from the change form in `response` when nobody touches it:
    every field's initial value, the inlines' empty extra forms included. A file is posted
    only when one is chosen, so file fields are left out."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({field.html_name: field.value() for field in formset.management_form})
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, FieldFile) or value is None or value is False:
                continue
            widget = field.field.widget
            if isinstance(widget, MultiWidget):  # e.g. a date and a time
                parts = widget.decompress(value)
                for number, (part, subwidget) in enumerate(zip(parts, widget.widgets, strict=True)):
                    data[f"{field.html_name}_{number}"] = subwidget.format_value(part)
                continue
            data[field.html_name] = "on" if value is True else value
    return data
