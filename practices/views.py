from django.shortcuts import get_object_or_404, render

from .models import Practice


def practice_list(request):
    practices = Practice.objects.published().for_listing()
    return render(request, "practices/practice_list.html", {"practices": practices})


def practice_detail(request, slug):
    practice = get_object_or_404(Practice.objects.published().for_detail(), slug=slug)
    return render(request, "practices/practice_detail.html", {"practice": practice})
