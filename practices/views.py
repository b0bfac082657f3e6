from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Practice

# Newest first, as the (status, -created_at) index expects; pk keeps pages stable.
LIST_ORDERING = ("-created_at", "-pk")


def _page_number(request, paginator):
    """The requested page, or the nearest page that exists: bad input never raises."""
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), paginator.num_pages)


def practice_list(request):
    practices = Practice.objects.published().for_listing().order_by(*LIST_ORDERING)
    paginator = Paginator(practices, settings.PRACTICES_PER_PAGE)
    page_obj = paginator.page(_page_number(request, paginator))
    return render(
        request,
        "practices/practice_list.html",
        {"page_obj": page_obj, "practices": page_obj.object_list, "paginator": paginator},
    )


def practice_detail(request, slug):
    practice = get_object_or_404(Practice.objects.published().for_detail(), slug=slug)
    return render(request, "practices/practice_detail.html", {"practice": practice})
