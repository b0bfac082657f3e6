"""Editors' preview of a practice page exactly as the public would see it, whatever the
practice's status, at a URL only its editors can open."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import render

from .access import practices_editable_by
from .detail import page_context
from .models import Practice


@staff_member_required
def practice_preview(request, pk):
    practices = practices_editable_by(request.user, Practice.objects.for_detail())
    try:
        practice = practices.get(pk=pk)
    except Practice.DoesNotExist as error:
        raise Http404 from error
    response = render(
        request, "practices/practice_detail.html", page_context(request, practice, preview=True)
    )
    # A draft's text must not end up in shared caches or search engines.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
