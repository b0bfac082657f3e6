"""Every URL of the admin, for each persona of tests/roles.py: the response each gets.

The URLs are read from the admin site itself: every URL pattern of every registered
ModelAdmin (change list, add, change, history, deletion, the bare object URL and the custom
views), the site's own views (index, login, logout, password change, two-factor set-up,
JavaScript catalogue, "view on site", each app's index, the catch-all) and the autocomplete
of every relation a form offers as one. A URL pattern that is not in EXPECTED fails
test_every_admin_url_is_in_the_table, so none can be added without saying who may open it.

The practice admin's rows are those of tests/practices/test_admin_scoping.py (MATRIX), which
also tests what each persona sees there; tests/contacts/test_admin.py does the same for
contacts.

The world is written once for the module and every request runs in a savepoint that is
rolled back, so that a view that writes (the two-factor set-up creates a pending device, an
import is discarded) leaves nothing behind for the next. The personas are logged in with
force_login: no password is checked and no two-factor code asked (REQUIRE_ADMIN_2FA is off in
tests, and accounts.two_factor.verification_missing only holds back a session that logged in
through the login form as a user with a confirmed device), so the administrator passes the
admin's two-factor checks as an administrator without a device does in development.
"""

from datetime import UTC, date, datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLResolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.roles import COORDINATOR
from practices.models import (
    Collection,
    Feedback,
    Funder,
    Practice,
    PracticeImport,
    TargetGroup,
)
from tests.factories import (
    make_contact,
    make_county,
    make_lookup,
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
    make_theme,
)
from tests.practices.test_admin_scoping import MATRIX as PRACTICE_MATRIX
from tests.roles import PERSONAS, make_persona

pytestmark = pytest.mark.django_db

LOGIN = "login page"  # a 302 to the admin's login page
EDITORS = ("coordinator_a", "coordinator_b", "publisher", "importer")


def responses(anonymous=LOGIN, *, editors, administrator, **by_persona):
    """Expected response by persona: `editors` for the four editors unless one is named."""
    return {
        "anonymous": anonymous,
        **dict.fromkeys(EDITORS, editors),
        "administrator": administrator,
        **by_persona,
    }


ALL_STAFF_200 = responses(editors=200, administrator=200)
ALL_STAFF_302 = responses(editors=302, administrator=302)
ADMINISTRATOR_ONLY = responses(editors=403, administrator=200)
NOBODY = responses(editors=403, administrator=403)
OWNERS_OF_A = responses(editors=200, administrator=200, coordinator_b=404)

# What a ModelAdmin's standard URLs answer, by the kind of data it keeps.
PROFILES = {
    # Users and groups: the administrator's alone.
    "administrators": {
        "changelist": ADMINISTRATOR_ONLY,
        "add": ADMINISTRATOR_ONLY,
        "change": ADMINISTRATOR_ONLY,
        "history": ADMINISTRATOR_ONLY,
        "delete": ADMINISTRATOR_ONLY,
        "object": ALL_STAFF_302,
    },
    # Areas, organisations and the reference lists: editors look them up, the administrator
    # keeps them.
    "reference": {
        "changelist": ALL_STAFF_200,
        "add": ADMINISTRATOR_ONLY,
        "change": ALL_STAFF_200,  # read-only for editors
        "history": ALL_STAFF_200,
        "delete": ADMINISTRATOR_ONLY,
        "object": ALL_STAFF_302,
    },
    # Records of what happened (audit log, logins): the administrator reads them, nobody
    # adds, changes or deletes one.
    "records": {
        "changelist": ADMINISTRATOR_ONLY,
        "add": NOBODY,
        "change": ADMINISTRATOR_ONLY,  # read-only
        "history": ADMINISTRATOR_ONLY,
        "delete": NOBODY,
        "object": ALL_STAFF_302,
    },
    # Contacts of organisation A (the change URLs are of A's contact).
    "contacts": {
        "changelist": ALL_STAFF_200,
        "add": ALL_STAFF_200,
        "change": OWNERS_OF_A,
        "history": OWNERS_OF_A,
        "delete": responses(editors=403, administrator=200, coordinator_b=404),
        "object": ALL_STAFF_302,
    },
}

# Failed-login counts and authenticator devices: the administrator reads them and deletes
# one (lifting a lockout, removing a lost phone), nothing else.
DELETABLE_RECORDS = {**PROFILES["records"], "delete": ADMINISTRATOR_ONLY}

# model -> (the object its change URLs are built with, expected responses by URL kind)
MODEL_ADMINS = {
    "admin.logentry": ("log_entry", PROFILES["records"]),
    "axes.accesslog": ("access_log", PROFILES["records"]),
    "axes.accessfailurelog": ("access_failure_log", PROFILES["records"]),
    "axes.accessattempt": ("access_attempt", DELETABLE_RECORDS),
    "otp_totp.totpdevice": (
        "device",
        {
            **DELETABLE_RECORDS,
            # The device's key is never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA).
            "config": NOBODY,
            "qrcode": NOBODY,
        },
    ),
    "auth.group": ("group", PROFILES["administrators"]),
    "auth.user": (
        "user",
        {**PROFILES["administrators"], "password_change": ADMINISTRATOR_ONLY},
    ),
    "organisations.region": ("region", PROFILES["reference"]),
    "organisations.wellbeingservicescounty": ("county", PROFILES["reference"]),
    "organisations.municipality": ("municipality", PROFILES["reference"]),
    "organisations.organisation": ("a", PROFILES["reference"]),
    "contacts.contact": ("contact_a", PROFILES["contacts"]),
    "practices.developmentstage": ("stage", PROFILES["reference"]),
    "practices.theme": ("theme", PROFILES["reference"]),
    "practices.targetgroup": ("target_group", PROFILES["reference"]),
    "practices.funder": ("funder", PROFILES["reference"]),
    "practices.collection": ("collection", PROFILES["reference"]),
    # Messages of the public feedback form.
    "practices.feedback": ("feedback", DELETABLE_RECORDS),
}

# The autocomplete of each relation a form offers as one (source model.field): those who
# may view the related model get 200 (what each is offered is tested with each admin).
AUTOCOMPLETES = {
    "contacts.contact.organisation": ALL_STAFF_200,
    "organisations.membership.organisation": ALL_STAFF_200,
    "organisations.membership.user": ADMINISTRATOR_ONLY,
    "organisations.municipality.region": ALL_STAFF_200,
    "organisations.municipality.wellbeing_county": ALL_STAFF_200,
    "organisations.organisation.municipality": ALL_STAFF_200,
    "organisations.organisation.wellbeing_county": ALL_STAFF_200,
    "organisations.wellbeingservicescounty.region": ALL_STAFF_200,
    "practices.collection.coordinator": ALL_STAFF_200,
    "practices.practice.collection": ALL_STAFF_200,
    "practices.practice.municipalities": ALL_STAFF_200,
    "practices.practice.regions": ALL_STAFF_200,
    "practices.practice.wellbeing_counties": ALL_STAFF_200,
    "practices.practicecontact.contact": ALL_STAFF_200,
    "practices.practiceorganisation.organisation": ALL_STAFF_200,
}

# The index page of each app: editors only find the apps they have something in.
APP_INDEXES = {
    "admin": ADMINISTRATOR_ONLY | dict.fromkeys(EDITORS, 404),
    "auth": ADMINISTRATOR_ONLY | dict.fromkeys(EDITORS, 404),
    "axes": ADMINISTRATOR_ONLY | dict.fromkeys(EDITORS, 404),
    "otp_totp": ADMINISTRATOR_ONLY | dict.fromkeys(EDITORS, 404),
    "organisations": ALL_STAFF_200,
    "contacts": ALL_STAFF_200,
    "practices": ALL_STAFF_200,
}


def _site(name, *args):
    return reverse(f"admin:{name}", args=args)


def _view_on_site(world, key):
    obj = world[key]
    return _site("view_on_site", ContentType.objects.get_for_model(obj).pk, obj.pk)


# name -> (method, URL of the world, expected response by persona)
SITE_VIEWS = {
    "index": ("get", lambda w: _site("index"), ALL_STAFF_200),
    # Logged-in staff are sent on to the index.
    "login": ("get", lambda w: _site("login"), responses(200, editors=302, administrator=302)),
    # Logging out is a POST; a visitor who is not logged in is sent to the index.
    "logout": ("get", lambda w: _site("logout"), responses(302, editors=405, administrator=405)),
    "password_change": ("get", lambda w: _site("password_change"), ALL_STAFF_200),
    "password_change_done": ("get", lambda w: _site("password_change_done"), ALL_STAFF_200),
    "two_factor": ("get", lambda w: _site("two_factor"), ALL_STAFF_200),
    "jsi18n": ("get", lambda w: _site("jsi18n"), ALL_STAFF_200),
    # The public page of an object with one: organisation A's practice list.
    "view_on_site": ("get", lambda w: _view_on_site(w, "a"), ALL_STAFF_302),
    # Without naming a relation the autocomplete answers nobody.
    "autocomplete": ("get", lambda w: _site("autocomplete"), NOBODY),
    "catch_all": (
        "get",
        lambda w: _site("index") + "no-such-page/",
        responses(editors=404, administrator=404),
    ),
}


def _model_url(label, kind, world):
    app_label, model_name = label.split(".")
    object_key, _profile = MODEL_ADMINS[label]
    obj = world[object_key]
    if kind == "object":
        return _site("index") + f"{app_label}/{model_name}/{obj.pk}/"
    name = f"{app_label}_{model_name}_{kind}"
    if kind in {"changelist", "add"}:
        return _site(name)
    if kind in {"config", "qrcode"}:
        return reverse(f"admin:{name}", kwargs={"pk": obj.pk})
    return _site(name, obj.pk)


def _autocomplete_url(source):
    app_label, model_name, field_name = source.split(".")
    return (
        _site("autocomplete")
        + f"?app_label={app_label}&model_name={model_name}&field_name={field_name}"
    )


def _expected():
    """Every row: key -> (method, URL of the world, expected response by persona)."""
    rows = {}
    for label, (_object_key, profile) in MODEL_ADMINS.items():
        for kind, expected in profile.items():
            rows[f"{label}:{kind}"] = (
                "get",
                lambda w, label=label, kind=kind: _model_url(label, kind, w),
                expected,
            )
    for name, (method, url_of, expected) in PRACTICE_MATRIX.items():
        if name == "autocomplete":
            continue  # the site's view, below with the other autocompletes
        rows[f"practices.practice:{name}"] = (method, url_of, {"anonymous": LOGIN, **expected})
    for name, row in SITE_VIEWS.items():
        rows[f"site:{name}"] = row
    for label, expected in APP_INDEXES.items():
        rows[f"site:app_list:{label}"] = (
            "get",
            lambda w, label=label: f"/admin/{label}/",
            expected,
        )
    for source, expected in AUTOCOMPLETES.items():
        rows[f"site:autocomplete:{source}"] = (
            "get",
            lambda w, source=source: _autocomplete_url(source),
            expected,
        )
    return rows


EXPECTED = _expected()


# --- What the admin site has --------------------------------------------------------------------


def _autocomplete_sources(model_admin):
    for admin_class in (type(model_admin), *model_admin.inlines):
        model = getattr(admin_class, "model", None) or model_admin.model
        for field_name in admin_class.autocomplete_fields:
            yield f"{model._meta.label_lower}.{field_name}"


def admin_url_keys():
    """The key of every URL of the admin site, as EXPECTED names them."""
    keys = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if pattern.name:
                kind = pattern.name.removeprefix(prefix)
            elif str(pattern.pattern) == "<path:object_id>/":
                kind = "object"
            else:
                kind = str(pattern.pattern)
            keys.add(f"{label}:{kind}")
        keys.update(f"site:autocomplete:{source}" for source in _autocomplete_sources(model_admin))
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue  # a ModelAdmin's URLs, above
        if pattern.name == "app_list":
            app_labels = {model._meta.app_label for model in admin.site._registry}
            keys.update(f"site:app_list:{app_label}" for app_label in app_labels)
        elif pattern.name:
            keys.add(f"site:{pattern.name}")
        elif str(pattern.pattern) == "(?P<url>.*)$":
            keys.add("site:catch_all")
        else:
            keys.add(f"site:{pattern.pattern}")
    return keys


def test_every_admin_url_is_in_the_table():
    keys = admin_url_keys()

    assert not keys - set(EXPECTED), f"Add to EXPECTED: {sorted(keys - set(EXPECTED))}"
    assert not set(EXPECTED) - keys, f"No longer in the admin: {sorted(set(EXPECTED) - keys)}"


def test_attachments_and_memberships_have_no_admin_of_their_own():
    # They are edited on the card of their practice (or user, organisation) only, where
    # the scoping of that card applies.
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert "practices.attachment" not in registered
    assert "organisations.membership" not in registered


# --- Who gets what ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One object of every kind the admin keeps, the personas logged in (a client each);
    written once and rolled back after this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        a = make_organisation(name_fi="Alfan kaupunki")
        b = make_organisation(name_fi="Beetan hyvinvointialue")
        users = {persona: make_persona(persona, a, b) for persona in PERSONAS}
        practice_a = make_practice(
            name_fi="Alfan perhekeskus", organisation=a, status=Practice.Status.DRAFT
        )
        make_practice(name_fi="Beetan kotihoito", organisation=b, status=Practice.Status.DRAFT)
        region = make_region()
        county = make_county(region=region)
        device_owner = get_user_model().objects.create_user("laitteen-omistaja", is_staff=True)
        world = {
            "a": a,
            "b": b,
            "practice_a": practice_a,
            "contact_a": make_contact(name="Aino Alfa", organisation=a),
            "region": region,
            "county": county,
            "municipality": make_municipality(region=region, wellbeing_county=county),
            "stage": make_stage(),
            "theme": make_theme(),
            "target_group": make_lookup(TargetGroup),
            "funder": make_lookup(Funder),
            "collection": make_lookup(Collection, start_date=date(2024, 1, 1)),
            "group": Group.objects.get(name=COORDINATOR),
            "user": users["coordinator_a"],
            "log_entry": LogEntry.objects.log_actions(
                users["coordinator_a"].pk, [practice_a], ADDITION, single_object=True
            ),
            "access_log": AccessLog.objects.create(
                username="coordinator_a", ip_address="192.0.2.1", user_agent="Firefox"
            ),
            "access_failure_log": AccessFailureLog.objects.create(
                username="coordinator_b", ip_address="192.0.2.2", user_agent="Firefox"
            ),
            "access_attempt": AccessAttempt.objects.create(
                username="coordinator_b",
                ip_address="192.0.2.2",
                user_agent="Firefox",
                get_data="",
                post_data="",
                failures_since_start=2,
            ),
            "device": TOTPDevice.objects.create(user=device_owner, name="Puhelin"),
            "feedback": Feedback.objects.create(
                message="Hakukenttä ei toimi.", language="fi", client="0" * 64
            ),
            "job": PracticeImport.objects.create(
                created_by=users["importer"],
                filename="kaytannot.csv",
                content=b"",
                size=0,
                language="fi",
                status=PracticeImport.Status.INVALID,
                preview={"counts": {"errors": 1}, "errors": []},
            ),
        }
        clients = {}
        for persona in PERSONAS:
            clients[persona] = Client()
            if users[persona] is not None:
                clients[persona].force_login(users[persona])
        world["clients"] = clients
        yield world
        transaction.set_rollback(True)


def _request(world, persona, method, url, data=None):
    """The response to `persona`'s request, whatever it wrote rolled back."""
    with transaction.atomic():
        response = getattr(world["clients"][persona], method)(url, data)
        transaction.set_rollback(True)
    return response


def _response(world, persona, method, url):
    response = _request(world, persona, method, url)
    if response.status_code == 302 and response["Location"].startswith(_site("login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_persona_gets_exactly_its_response(world, key):
    method, url_of, expected = EXPECTED[key]
    url = url_of(world)

    got = {persona: _response(world, persona, method, url) for persona in PERSONAS}

    wrong = {
        persona: f"{got[persona]}, not {expected[persona]}"
        for persona in PERSONAS
        if got[persona] != expected[persona]
    }
    assert not wrong, f"{method.upper()} {url}: {wrong}"


# --- What a 200 of a read-only page means -----------------------------------------------------


REFERENCE_DATA = [
    label for label, (_key, profile) in MODEL_ADMINS.items() if profile is PROFILES["reference"]
]


@pytest.mark.parametrize("label", REFERENCE_DATA)
def test_editors_see_reference_data_but_cannot_change_it(world, label):
    url = _model_url(label, "change", world)

    for persona in EDITORS:
        page = _request(world, persona, "get", url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.text, persona
        assert 'name="name_fi"' not in page.text, persona
        response = _request(
            world, persona, "post", url, {"name_fi": "Muutettu", "slug": "muutettu"}
        )
        assert response.status_code == 403, persona
    # The administrator keeps them.
    assert 'name="_save"' in _request(world, "administrator", "get", url).text


def test_editors_do_not_see_who_belongs_to_an_organisation(world):
    url = _model_url("organisations.organisation", "change", world)

    page = _request(world, "coordinator_a", "get", url)

    # (Their own name is in the page's header.)
    assert "publisher" not in page.text
    assert "importer" not in page.text
    assert "publisher" in _request(world, "administrator", "get", url).text


# --- Every action of every change list ----------------------------------------------------------

DONE = "done"  # offered on the change list, and it acted on the selected object
NO_EFFECT = "offered, left the object alone"  # the object is not in the persona's selection
NOT_OFFERED = "not offered"  # and posting it anyway changes nothing
FORCED = "NOT OFFERED, YET IT ACTED"  # never expected: a hole in the permissions

Status = Practice.Status


def _practice_of_a(status):
    def make(world):
        return make_practice(name_fi="Alfan neuvola", organisation=world["a"], status=status)

    return make


def _status_is(status):
    return lambda obj, response: Practice.objects.get(pk=obj.pk).status == status


def _deleted(obj, response):
    return not type(obj).objects.filter(pk=obj.pk).exists()


def _offered_for_export(obj, response):
    # The export form that follows lists the selected objects the user may export.
    context = getattr(response, "context", None)
    return response.status_code == 200 and obj.pk in context["form"].initial["export_items"]


def _expired_attempt(world):
    attempt = AccessAttempt.objects.create(
        username="unohtunut",
        ip_address="192.0.2.9",
        user_agent="Firefox",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=datetime(2000, 1, 1, tzinfo=UTC)
    )
    return attempt


# Objects nothing refers to, made for the action inside its rolled-back request (deleting
# one of the world's would be refused for what refers to it, not by permission).
SPARES = {
    "auth.user": lambda w: get_user_model().objects.create_user("poistettava"),
    "auth.group": lambda w: Group.objects.create(name="Poistettava ryhmä"),
    "otp_totp.totpdevice": lambda w: TOTPDevice.objects.create(
        user=w["device"].user, name="Vanha puhelin"
    ),
    "axes.accessattempt": _expired_attempt,
    "organisations.region": lambda w: make_region(),
    "organisations.wellbeingservicescounty": lambda w: make_county(region=w["region"]),
    "organisations.municipality": lambda w: make_municipality(region=w["region"]),
    "organisations.organisation": lambda w: make_organisation(name_fi="Poistettava yhdistys"),
    "contacts.contact": lambda w: make_contact(name="Aapo Alfa", organisation=w["a"]),
    "practices.practice": _practice_of_a(Status.DRAFT),
    "practices.feedback": lambda w: Feedback.objects.create(
        message="Linkki ei toimi.", language="fi", client="1" * 64
    ),
    "practices.developmentstage": lambda w: make_stage(),
    "practices.theme": lambda w: make_theme(),
    "practices.targetgroup": lambda w: make_lookup(TargetGroup),
    "practices.funder": lambda w: make_lookup(Funder),
    "practices.collection": lambda w: make_lookup(Collection, start_date=date(2024, 1, 1)),
}

ADMINISTRATOR_DOES = responses(editors=NOT_OFFERED, administrator=DONE)
EDITORS_OF_A_DO = responses(editors=DONE, administrator=DONE, coordinator_b=NO_EFFECT)
PUBLISHERS_DO = responses(editors=NOT_OFFERED, administrator=DONE, publisher=DONE)

# "model:action" -> (the object acted on, what shows it was acted on, expected by persona)
ACTIONS = {
    **{
        f"{label}:delete_selected": (SPARES[label], _deleted, ADMINISTRATOR_DOES)
        for label in SPARES
    },
    "axes.accessattempt:cleanup_expired_attempts": (
        _expired_attempt,
        _deleted,
        ADMINISTRATOR_DOES,
    ),
    "practices.practice:export_admin_action": (
        _practice_of_a(Status.DRAFT),
        _offered_for_export,
        EDITORS_OF_A_DO,
    ),
    "practices.practice:submit_for_review": (
        _practice_of_a(Status.DRAFT),
        _status_is(Status.IN_REVIEW),
        EDITORS_OF_A_DO,
    ),
    "practices.practice:return_to_draft": (
        _practice_of_a(Status.IN_REVIEW),
        _status_is(Status.DRAFT),
        EDITORS_OF_A_DO,
    ),
    "practices.practice:publish": (
        _practice_of_a(Status.IN_REVIEW),
        _status_is(Status.PUBLISHED),
        PUBLISHERS_DO,
    ),
    "practices.practice:archive": (
        _practice_of_a(Status.PUBLISHED),
        _status_is(Status.ARCHIVED),
        PUBLISHERS_DO,
    ),
}


def admin_action_keys():
    """ "model:action" for every action any user could be offered on a change list."""
    superuser = get_user_model()(username="kaikki", is_staff=True, is_superuser=True)
    keys = set()
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/")
        request.user = superuser
        keys.update(
            f"{model._meta.label_lower}:{name}" for name in model_admin.get_actions(request)
        )
    return keys


def test_every_admin_action_is_in_the_table():
    keys = admin_action_keys()

    assert not keys - set(ACTIONS), f"Add to ACTIONS: {sorted(keys - set(ACTIONS))}"
    assert not set(ACTIONS) - keys, f"No longer in the admin: {sorted(set(ACTIONS) - keys)}"


def _act(world, persona, key):
    """What happens when `persona` selects a fresh object on the change list and runs the
    action, everything rolled back afterwards."""
    label, action = key.split(":")
    make, acted_on, _expected = ACTIONS[key]
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    client = world["clients"][persona]
    with transaction.atomic():
        obj = make(world)
        page = client.get(url)
        if page.status_code == 302 and page["Location"].startswith(_site("login")):
            transaction.set_rollback(True)
            return LOGIN
        action_form = page.context["action_form"] if page.status_code == 200 else None
        offered = action_form is not None and action in {
            name for name, _label in action_form.fields["action"].choices
        }
        response = client.post(
            url, {"action": action, "_selected_action": [obj.pk], "index": 0, "post": "yes"}
        )
        done = acted_on(obj, response)
        transaction.set_rollback(True)
    if offered:
        return DONE if done else NO_EFFECT
    return FORCED if done else NOT_OFFERED


@pytest.mark.parametrize("key", sorted(ACTIONS))
def test_each_persona_gets_exactly_its_action(world, key):
    expected = ACTIONS[key][2]

    got = {persona: _act(world, persona, key) for persona in PERSONAS}

    wrong = {
        persona: f"{got[persona]}, not {expected[persona]}"
        for persona in PERSONAS
        if got[persona] != expected[persona]
    }
    assert not wrong, f"{key}: {wrong}"
