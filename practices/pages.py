"""The site's own pages: the home page, about, the accessibility statement and the feedback
form.

The home page counts practices by theme and target group from the list's in-memory index
(practices.browse), so that each count is the number of results its link into the list
gives, and its query count does not grow with the catalogue. What it shows is kept in the
cache for each language, keyed by the search index revision: publishing, unpublishing and
importing write a new revision, so every process sees the change on its next request. For
visitors who are not signed in, the whole page is also kept (config/pagecache.py); signed-in
users get it made for them from the cached sections.

The feedback form stores each message (Feedback) and e-mails it to SITE_CONTACT_EMAIL. Like
the "propose a practice" form (practices.proposals, whose sender key, hourly limit and robot
trap it shares), it needs no account, and a sender can send only a few messages an hour.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from .facets import sort_key
from .filters import PracticeFilterSet
from .models import Feedback, Practice, Recognition, newest_published_order
from .proposals import HONEYPOT, _client, _limit
from .search.indexing import current_revision

logger = logging.getLogger(__name__)

# How many practices each list of the home page shows.
NEWEST_COUNT = 6
UPDATED_COUNT = 5
RECOGNISED_COUNT = 5

# The lookups the home page offers to browse by: the list's parameter for each.
BROWSE_BY = ("theme", "target_group")

# Seconds the home page's sections are kept in the cache at most. A new index revision replaces
# them at once; the limit bounds only what changes without one (the order of the themes).
HOME_CACHE_SECONDS = 300


# --- Home ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseLink:
    """One value to browse by: the lookup object (for its name's language), its name in the
    page's language, the number of published practices with it and the list showing them."""

    obj: object
    label: str
    count: int
    url: str


def _browse_links(results, name, list_url):
    """The values of one list parameter that published practices have, in their editorial
    order, each with its count and its link into the list."""
    counts = results.value_counts(name)
    objects = results.index.objects[name]
    labels = results.index.labels(name, get_language() or settings.LANGUAGE_CODE)
    links = [
        BrowseLink(
            obj=objects[slug],
            label=labels.get(slug) or str(objects[slug]),
            count=count,
            url=f"{list_url}?{urlencode({name: slug})}",
        )
        for slug, count in counts.items()
        if slug in objects
    ]
    links.sort(key=lambda link: (link.obj.order, sort_key(link.label)))
    return links


def _name_fields():
    return [build_localized_fieldname("name", language) for language in AVAILABLE_LANGUAGES]


def _recognised(published):
    """The most recently recognised published practices, with their recognitions. Found from
    the recognitions, which are far fewer than the practices."""
    latest = (
        # Joined rather than a subquery of `published`: several times faster.
        Recognition.objects.filter(practice__status=Practice.Status.PUBLISHED)
        .values("practice_id")
        .annotate(latest=Max("year"))
        .order_by("-latest", "-practice_id")
        .values_list("practice_id", flat=True)[:RECOGNISED_COUNT]
    )
    ids = list(latest)
    practices = published.filter(pk__in=ids).only("slug", *_name_fields())
    by_pk = {practice.pk: practice for practice in practices.prefetch_related("recognitions")}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _home_sections(list_url):
    """The counts and lists of the home page, built from the index and the database."""
    results = PracticeFilterSet().results()
    browse = {name: _browse_links(results, name, list_url) for name in BROWSE_BY}

    published = Practice.objects.published()
    newest = list(published.for_listing().order_by(*newest_published_order())[:NEWEST_COUNT])
    # Just published is also just updated: the second list shows the others.
    updated = list(
        published.exclude(pk__in=[practice.pk for practice in newest])
        .only("slug", "modified_at", *_name_fields())
        .order_by("-modified_at", "-pk")[:UPDATED_COUNT]
    )
    sections = {
        "total": results.count(),
        "themes": browse["theme"],
        "target_groups": browse["target_group"],
        "newest": newest,
        "updated": updated,
        "recognised": _recognised(published),
        "recognised_total": results.recognised_count(),
    }
    return sections, results.index.revision


def _cached_home_sections(list_url):
    """_home_sections() from the cache, when it holds them for the current revision (one
    query). Before the first indexing there is no revision to key them by: not cached."""
    revision = current_revision()
    key = f"home:{get_language() or settings.LANGUAGE_CODE}:{revision}"
    sections = cache.get(key) if revision else None
    if sections is None:
        sections, built_at = _home_sections(list_url)
        # Counts from an index another thread is still replacing are not kept.
        if revision and built_at == revision:
            cache.set(key, sections, HOME_CACHE_SECONDS)
    return sections


@require_safe
def home(request):
    list_url = reverse("practices:list")
    return render(
        request,
        "practices/home.html",
        {
            **_cached_home_sections(list_url),
            "list_url": list_url,
            "recognised_url": f"{list_url}?{urlencode({'recognised': 1})}",
        },
    )


# --- About and the accessibility statement ------------------------------------------------------


@require_safe
def about(request):
    return render(request, "practices/about.html", {"contact_email": settings.SITE_CONTACT_EMAIL})


@require_safe
def accessibility(request):
    return render(
        request,
        "practices/accessibility.html",
        {
            "site_url": request.build_absolute_uri(reverse("practices:home")),
            "contact_email": settings.SITE_CONTACT_EMAIL,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "feedback_url": reverse("practices:feedback")
            + "?"
            + urlencode({"aihe": Feedback.Topic.ACCESSIBILITY}),
        },
    )


# --- Feedback -----------------------------------------------------------------------------------

# The query parameters that fill in the form: the page the feedback is about and its topic.
PAGE_PARAM = "sivu"
TOPIC_PARAM = "aihe"
PAGE_URL_MAX_LENGTH = Feedback._meta.get_field("page_url").max_length


def _length_hint():
    return gettext("At most %(count)s characters.") % {"count": Feedback.MESSAGE_MAX_LENGTH}


# Translated when shown, in the language of the request, not once at import.
_lazy_length_hint = lazy(_length_hint, str)


class FeedbackForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What is your feedback about?"),
        choices=Feedback.Topic,
        initial=Feedback.Topic.OTHER,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Your feedback"),
        max_length=Feedback.MESSAGE_MAX_LENGTH,
        help_text=_lazy_length_hint(),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page_url = forms.CharField(
        label=_("The page your feedback is about (optional)"),
        required=False,
        max_length=PAGE_URL_MAX_LENGTH,
        help_text=_("The web address of the page, if your feedback concerns one."),
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=Feedback._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("Needed only if you would like a reply. It is not shown publicly."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_page_url(self):
        """A web address (http or https), or a path on this site, made into its full
        address."""
        value = self.cleaned_data["page_url"].strip()
        if not value:
            return ""
        if value.startswith("/") and not value.startswith("//"):
            value = self.request.build_absolute_uri(value)
        invalid = forms.ValidationError(
            _("Enter the web address of the page, e.g. https://example.fi/page/."),
            code="invalid",
        )
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid
        if parts.netloc != self.request.get_host():
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                raise invalid from None
        if len(value) > PAGE_URL_MAX_LENGTH:
            raise forms.ValidationError(
                _("The address is too long: at most %(count)s characters.")
                % {"count": PAGE_URL_MAX_LENGTH},
                code="max_length",
            )
        return value

    def is_robot(self):
        return bool(self.cleaned_data.get(HONEYPOT))


def _feedback_paths():
    """The paths of the feedback form and its thank-you page in every language."""
    paths = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths.update(
                reverse(name) for name in ("practices:feedback", "practices:feedback-thanks")
            )
    return paths


def _same_site_page(request, url):
    """`url` (a full address or a path) as a full address when it is a page of this site
    other than the feedback form itself and fits the form, otherwise ""."""
    url = (url or "").strip()
    if not url.startswith("/") and not urlsplit(url).netloc:
        return ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=False
    ):
        return ""
    if urlsplit(url).path in _feedback_paths():
        return ""
    absolute = request.build_absolute_uri(url)
    return absolute if len(absolute) <= PAGE_URL_MAX_LENGTH else ""


def _initial(request):
    """What the form starts with: the page named in the address (?sivu=), or else the page
    the visitor came from; and a topic given in the address (?aihe=)."""
    initial = {}
    page = _same_site_page(request, request.GET.get(PAGE_PARAM)) or _same_site_page(
        request, request.headers.get("referer")
    )
    if page:
        initial["page_url"] = page
    if request.GET.get(TOPIC_PARAM) in Feedback.Topic.values:
        initial["topic"] = request.GET[TOPIC_PARAM]
    return initial


def _too_many(client):
    since = timezone.now() - timedelta(hours=1)
    return Feedback.objects.filter(client=client, created_at__gte=since).count() >= _limit()


def _notify(feedback):
    """E-mail the message to the editors, in Finnish, with the sender's address to reply to.
    The message is kept even if the e-mail cannot be sent."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Feedback on Käytäntöpankki: %(topic)s")) % {
            "topic": feedback.get_topic_display()
        }
        body = render_to_string("practices/email/feedback_received.txt", {"feedback": feedback})
    message = EmailMessage(
        subject,
        body,
        to=[settings.SITE_CONTACT_EMAIL],
        reply_to=[feedback.email] if feedback.email else None,
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Feedback %s could not be sent by e-mail", feedback.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST, request=request)
    else:
        form = FeedbackForm(initial=_initial(request), request=request)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            # Robots get the same answer as people, and nothing is kept.
            return redirect("practices:feedback-thanks")
        client = _client(request)
        if _too_many(client):
            status = 429
            form.add_error(
                None,
                _(
                    "You have sent several messages within an hour. Please try again later, "
                    "or send your feedback by e-mail to %(email)s."
                )
                % {"email": settings.SITE_CONTACT_EMAIL},
            )
        else:
            data = form.cleaned_data
            sent = Feedback.objects.create(
                topic=data["topic"],
                message=data["message"],
                page_url=data["page_url"],
                name=data["name"],
                email=data["email"],
                language=get_language() or settings.LANGUAGE_CODE,
                client=client,
            )
            transaction.on_commit(lambda: _notify(sent))
            request.session["feedback_reply"] = bool(sent.email)
            return redirect("practices:feedback-thanks")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "practices/feedback.html",
        {"form": form, "honeypot": HONEYPOT, "contact_email": settings.SITE_CONTACT_EMAIL},
        status=status,
    )


@require_safe
def feedback_thanks(request):
    reply = request.session.pop("feedback_reply", None)
    return render(request, "practices/feedback_thanks.html", {"reply": reply})
