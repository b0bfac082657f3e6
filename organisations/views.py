"""The public directory: organisations, areas and collections with their published practices,
and statistics of the published practices. Counting and ordering live in
organisations.statistics; links to the practice list use the parameters of
practices.filters.PracticeFilterSet."""

from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_safe

from practices.models import Collection, PracticeOrganisation

from . import statistics
from .models import Organisation, Region, WellbeingServicesCounty

ORGANISATIONS_PER_PAGE = 100
COLLECTIONS_PER_PAGE = 50
# Practices shown for each role of an organisation before "show all".
ROLE_PREVIEW = 6

Role = PracticeOrganisation.Role
ROLE_HEADINGS = {
    Role.OWNER: _("Practices it owns"),
    Role.DEVELOPER: _("Practices it has developed"),
    Role.IMPLEMENTER: _("Practices it implements"),
    Role.PARTNER: _("Practices it is a partner in"),
    Role.ADOPTER: _("Practices it has adopted"),
}
# Link text to every practice of a role, when there are more than ROLE_PREVIEW.
ROLE_SHOW_ALL = {
    Role.OWNER: ngettext_lazy(
        "Show the %(count)s practice it owns", "Show all %(count)s practices it owns", "count"
    ),
    Role.DEVELOPER: ngettext_lazy(
        "Show the %(count)s practice it has developed",
        "Show all %(count)s practices it has developed",
        "count",
    ),
    Role.IMPLEMENTER: ngettext_lazy(
        "Show the %(count)s practice it implements",
        "Show all %(count)s practices it implements",
        "count",
    ),
    Role.PARTNER: ngettext_lazy(
        "Show the %(count)s practice it is a partner in",
        "Show all %(count)s practices it is a partner in",
        "count",
    ),
    Role.ADOPTER: ngettext_lazy(
        "Show the %(count)s practice it has adopted",
        "Show all %(count)s practices it has adopted",
        "count",
    ),
}


def browse_url(**params):
    """The practice list filtered by the given parameters (see practices.filters)."""
    return reverse("practices:list") + "?" + urlencode(params, doseq=True)


def _page(request, items, per_page):
    """The requested page of a list; a missing or bad page number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _practice_page(request, ids):
    """A page of practice cards from practice ids in display order."""
    page_obj = _page(request, ids, settings.PRACTICES_PER_PAGE)
    page_obj.object_list = statistics.practices_for_cards(list(page_obj.object_list))
    return page_obj


def _query(**params):
    """'?a=1&b=2' without the empty parameters, or '' when none is left."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


# Organisations


def _letter_anchor(group):
    if group == statistics.DIGITS:
        return "letter-0-9"
    if group == statistics.OTHER:
        return "letter-other"
    return f"letter-{group.lower()}"


def _index_groups(organisations):
    """The organisations of a page under their index letters: [(letter, anchor, [orgs])]."""
    groups = []
    for organisation in organisations:
        group = statistics.index_group(organisation.name)
        if not groups or groups[-1][0] != group:
            groups.append((group, _letter_anchor(group), []))
        groups[-1][2].append(organisation)
    return groups


def _letter_links(organisations, page_obj, selected_type):
    """The alphabetical index: every letter A–Ö (and digits and other characters when some
    name starts with one), with a link to the page and place where its names begin, or no
    link when there are none."""
    first_index = {}
    for index, organisation in enumerate(organisations):
        first_index.setdefault(statistics.index_group(organisation.name), index)
    groups = [
        *([statistics.DIGITS] if statistics.DIGITS in first_index else []),
        *statistics.ALPHABET,
        *([statistics.OTHER] if statistics.OTHER in first_index else []),
    ]
    per_page = page_obj.paginator.per_page
    links = []
    for group in groups:
        url = ""
        if group in first_index:
            number = first_index[group] // per_page + 1
            query = "" if number == page_obj.number else _query(type=selected_type, page=number)
            url = f"{query}#{_letter_anchor(group)}"
        links.append({"label": group, "url": url, "is_other": group == statistics.OTHER})
    return links


@require_safe
def organisation_list(request):
    """Organisations taking part in published practices, A–Ö, optionally of one type."""
    organisations = statistics.organisations_with_counts()
    type_counts = Counter(organisation.type for organisation in organisations)
    selected_type = request.GET.get("type", "")
    if selected_type not in type_counts:
        selected_type = ""
    shown = [o for o in organisations if not selected_type or o.type == selected_type]
    page_obj = _page(request, shown, ORGANISATIONS_PER_PAGE)
    types = [
        {
            "label": label,
            "count": type_counts[value],
            "url": _query(type=value),
            "selected": value == selected_type,
        }
        for value, label in Organisation.Type.choices
        if type_counts[value]
    ]
    return render(
        request,
        "directory/organisation_list.html",
        {
            "page_obj": page_obj,
            "groups": _index_groups(page_obj.object_list),
            "letters": _letter_links(shown, page_obj, selected_type),
            "types": types,
            "all_count": len(organisations),
            "selected_type": selected_type,
            "selected_type_label": Organisation.Type(selected_type).label if selected_type else "",
            "requested_type": request.GET.get("type", ""),
        },
    )


@require_safe
def organisation_detail(request, slug):
    """An organisation and its published practices by role. With ?role=, every practice of
    that role, page by page; otherwise the first few of each role."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("municipality", "wellbeing_county"), slug=slug
    )
    roles = statistics.organisation_roles(organisation)
    selected_role = request.GET.get("role", "")
    if selected_role not in roles:
        selected_role = ""

    sections = []
    page_obj = None
    if selected_role:
        page_obj = _practice_page(request, roles[selected_role])
        sections.append(
            {
                "role": selected_role,
                "heading": ROLE_HEADINGS[selected_role],
                "count": len(roles[selected_role]),
                "practices": page_obj.object_list,
            }
        )
    else:
        preview_ids = [pk for ids in roles.values() for pk in ids[:ROLE_PREVIEW]]
        practices = {p.pk: p for p in statistics.practices_for_cards(preview_ids)}
        for role in Role:
            ids = roles.get(role.value)
            if not ids:
                continue
            sections.append(
                {
                    "role": role.value,
                    "heading": ROLE_HEADINGS[role],
                    "count": len(ids),
                    "practices": [practices[pk] for pk in ids[:ROLE_PREVIEW] if pk in practices],
                    "more_url": _query(role=role.value) if len(ids) > ROLE_PREVIEW else "",
                    "more_text": ROLE_SHOW_ALL[role] % {"count": len(ids)},
                }
            )
    practice_count = len({pk for ids in roles.values() for pk in ids})
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "sections": sections,
            "selected_role": selected_role,
            "page_obj": page_obj,
            "practice_count": practice_count,
            "browse_url": browse_url(organisation=organisation.slug),
            "section_title": ROLE_HEADINGS[selected_role] if selected_role else "",
        },
    )


# Areas


@require_safe
def area_list(request):
    """The wellbeing services counties (with Helsinki and HUS) and the regions."""
    counties = statistics.counties_with_counts()
    return render(
        request,
        "directory/area_list.html",
        {
            "counties": [c for c in counties if c.kind == WellbeingServicesCounty.Kind.COUNTY],
            "other_organisers": [
                c for c in counties if c.kind != WellbeingServicesCounty.Kind.COUNTY
            ],
            "regions": statistics.regions_with_counts(),
        },
    )


def _area_practices(request, queryset, linked_directly):
    """A page of an area's practices in name order, the total and how many are linked to
    the area itself."""
    rows = statistics.practice_ids_by_name(queryset, direct=linked_directly)
    page_obj = _practice_page(request, [pk for pk, _extra in rows])
    direct_count = sum(1 for _pk, extra in rows if extra["direct"])
    return page_obj, len(rows), direct_count


@require_safe
def county_detail(request, slug):
    county = get_object_or_404(WellbeingServicesCounty.objects.select_related("region"), slug=slug)
    page_obj, total, direct_count = _area_practices(
        request, statistics.county_practices(county), statistics.linked_to_county(county)
    )
    return render(
        request,
        "directory/county_detail.html",
        {
            "area": county,
            "county": county,
            "municipalities": _with_browse_urls(
                statistics.municipalities_with_counts(wellbeing_county=county)
            ),
            "page_obj": page_obj,
            "total": total,
            "direct_count": direct_count,
            "other_count": total - direct_count,
            "browse_url": browse_url(county=county.slug),
        },
    )


@require_safe
def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    page_obj, total, direct_count = _area_practices(
        request, statistics.region_practices(region), statistics.linked_to_region(region)
    )
    return render(
        request,
        "directory/region_detail.html",
        {
            "area": region,
            "region": region,
            "counties": statistics.counties_with_counts(
                WellbeingServicesCounty.objects.filter(region=region)
            ),
            "municipalities": _with_browse_urls(
                statistics.municipalities_with_counts(region=region)
            ),
            "page_obj": page_obj,
            "total": total,
            "direct_count": direct_count,
            "other_count": total - direct_count,
            "browse_url": browse_url(region=region.slug),
        },
    )


def _with_browse_urls(municipalities):
    for municipality in municipalities:
        municipality.browse_url = (
            browse_url(municipality=municipality.slug) if municipality.practice_count else ""
        )
    return municipalities


# Collections


@require_safe
def collection_list(request):
    collections = statistics.collections_with_counts()
    return render(
        request,
        "directory/collection_list.html",
        {"page_obj": _page(request, collections, COLLECTIONS_PER_PAGE)},
    )


@require_safe
def collection_detail(request, slug):
    collection = get_object_or_404(Collection.objects.select_related("coordinator"), slug=slug)
    rows = statistics.practice_ids_by_name(collection.practices.published())
    page_obj = _practice_page(request, [pk for pk, _extra in rows])
    return render(
        request,
        "directory/collection_detail.html",
        {
            "collection": collection,
            "page_obj": page_obj,
            "total": len(rows),
            "browse_url": browse_url(collection=collection.slug),
        },
    )


# Statistics


def _year_bars(counts, link):
    return statistics.bars(
        (
            str(year),
            count,
            browse_url(start_year_min=year, start_year_max=year) if link else "",
            None,
        )
        for year, count in counts
    )


@require_safe
def statistics_page(request):
    totals = statistics.totals()
    charts = [
        {
            "id": "themes",
            "heading": _("By theme"),
            "caption": _("Published practices by theme"),
            "label_header": _("Theme"),
            "note": _("A practice with several themes is counted under each of them."),
            "bars": statistics.bars(
                (theme.name, theme.practice_count, browse_url(theme=theme.slug), theme)
                for theme in statistics.theme_counts()
            ),
        },
        {
            "id": "stages",
            "heading": _("By development stage"),
            "caption": _("Published practices by development stage"),
            "label_header": _("Development stage"),
            "note": "",
            "bars": statistics.bars(
                [
                    *(
                        (stage.name, stage.practice_count, browse_url(stage=stage.slug), stage)
                        for stage in statistics.stage_counts()
                    ),
                    *(
                        [(_("Stage not given"), totals["without_stage"], "", None)]
                        if totals["without_stage"]
                        else []
                    ),
                ]
            ),
        },
        {
            "id": "regions",
            "heading": _("By region"),
            "caption": _("Published practices by region"),
            "label_header": _("Region"),
            "note": _(
                "A region's practices include those linked to its wellbeing services counties "
                "and municipalities. A practice in several regions is counted under each of "
                "them; national practices are counted only where they are linked to a region."
            ),
            "bars": statistics.bars(
                (region.name, region.practice_count, region.get_absolute_url(), region)
                for region in statistics.region_counts()
            ),
        },
        {
            "id": "start-years",
            "heading": _("By the year development began"),
            "caption": _("Published practices by the year development began"),
            "label_header": _("Start year"),
            "note": "",
            "bars": _year_bars(statistics.start_year_counts(), link=True),
            "not_given": totals["without_start_year"],
        },
        {
            "id": "published-years",
            "heading": _("By the year published in Käytäntöpankki"),
            "caption": _("Published practices by the year they were published in Käytäntöpankki"),
            "label_header": _("Year published"),
            "note": "",
            "bars": _year_bars(statistics.published_year_counts(), link=False),
        },
    ]
    return render(
        request,
        "directory/statistics.html",
        {"total": totals["total"], "charts": [chart for chart in charts if chart["bars"]]},
    )
