"""The public "propose a practice" form.

Anyone can propose a practice without an account. A proposal becomes a practice waiting for
review (never published by itself) with the proposer's details beside it; the proposer gets a
confirmation page and an e-mail. A hidden field that people leave empty catches form-filling
robots, and each sender can propose only a few practices an hour.
"""

import hashlib
import hmac
import logging
import smtplib
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.client_ip import client_ip

from . import workflow
from .models import Practice, PracticeProposal

logger = logging.getLogger(__name__)

# The field robots fill in and people do not see.
HONEYPOT = "homepage"


class ProposalForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the practice"),
        max_length=Practice._meta.get_field("name").max_length,
    )
    summary = forms.CharField(
        label=_("Short description"),
        help_text=_("Two or three sentences: what is done, for whom, and what it achieves."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    need_and_goals = forms.CharField(
        label=_("Need and goals"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    solution = forms.CharField(
        label=_("How it works"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    link = forms.URLField(
        label=_("Web page about the practice"),
        required=False,
        assume_scheme="https",
    )
    proposer_name = forms.CharField(label=_("Your name"), max_length=200)
    proposer_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a confirmation here, and the editors may ask you for details."),
    )
    proposer_organisation = forms.CharField(
        label=_("Your organisation"), required=False, max_length=200
    )
    message = forms.CharField(
        label=_("Message to the editors"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my name and e-mail address are kept with the proposal and used to "
            "contact me about it. They are not shown publicly."
        ),
    )
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # The form's two parts, each a fieldset with its legend on the page.
    PRACTICE_FIELDS = ("name", "summary", "need_and_goals", "solution", "results", "link")
    PROPOSER_FIELDS = ("proposer_name", "proposer_email", "proposer_organisation", "message")

    def practice_fields(self):
        return [self[name] for name in self.PRACTICE_FIELDS]

    def proposer_fields(self):
        return [self[name] for name in (*self.PROPOSER_FIELDS, "consent")]

    def is_robot(self):
        return bool(self.cleaned_data.get(HONEYPOT))


def _client(request):
    """A keyed hash of the sender's address (behind proxies, as TRUSTED_PROXY_COUNT says)."""
    address = client_ip(request) or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _limit():
    return getattr(settings, "PRACTICE_PROPOSALS_PER_HOUR", 5)


def _too_many(client):
    since = timezone.now() - timedelta(hours=1)
    recent = PracticeProposal.objects.filter(client=client, created_at__gte=since).count()
    return recent >= _limit()


def _unique_slug(name):
    limit = Practice._meta.get_field("slug").max_length
    base = slugify(name)[: limit - 6].strip("-") or "kaytanto"
    taken = set(Practice.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def _create(form, request, client):
    data = form.cleaned_data
    language = translation.get_language() or settings.LANGUAGE_CODE
    content_language = language if language in Practice.Language.values else "fi"
    practice = Practice(
        status=Practice.Status.IN_REVIEW,
        slug=_unique_slug(data["name"]),
        content_language=content_language,
        source_url=data["link"],
        source_name=str(_("Proposed through the website")),
    )
    # The text goes into the fields of the language it was written in.
    for field in ("name", "summary", "need_and_goals", "solution", "results"):
        setattr(practice, f"{field}_{content_language}", data[field])
    if content_language != "fi":
        # Finnish is required: until an editor translates it, it is the proposer's text.
        practice.name_fi = data["name"]
        practice.summary_fi = data["summary"]
    practice.save()
    workflow.record(
        practice, "", Practice.Status.IN_REVIEW, message=str(_("Proposed through the website"))
    )
    return PracticeProposal.objects.create(
        practice=practice,
        name=data["proposer_name"],
        email=data["proposer_email"],
        organisation=data["proposer_organisation"],
        message=data["message"],
        language=language,
        client=client,
    )


def _confirm(proposal):
    """The confirmation e-mail, in the language of the form. The proposal is kept even if
    the message cannot be sent."""
    context = {"proposal": proposal, "practice": proposal.practice}
    with translation.override(proposal.language):
        subject = str(_("Thank you for your proposal to Käytäntöpankki"))
        body = render_to_string("practices/email/proposal_received.txt", context)
    try:
        send_mail(subject, body, None, [proposal.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("The confirmation of proposal %s could not be sent", proposal.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request):
    form = ProposalForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            # Robots get the same answer as people, and nothing is kept.
            return redirect("practices:propose-thanks")
        client = _client(request)
        if _too_many(client):
            status = 429
            form.add_error(
                None,
                _(
                    "You have sent several proposals within an hour. Please try again later, "
                    "or e-mail the editors."
                ),
            )
        else:
            proposal = _create(form, request, client)
            transaction.on_commit(lambda: _confirm(proposal))
            request.session["proposed_practice"] = proposal.practice.name
            return redirect("practices:propose-thanks")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "practices/propose.html",
        {"form": form, "honeypot": HONEYPOT, "list_url": reverse("practices:list")},
        status=status,
    )


def propose_thanks(request):
    name = request.session.pop("proposed_practice", "")
    return render(request, "practices/propose_thanks.html", {"name": name})
