"""Account security of the admin: login throttling, passwords, two-factor authentication,
session expiry and the audit log."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.client_ip import client_ip
from organisations.roles import ADMINISTRATOR
from tests.personas import PASSWORD, make_coordinator
from tests.roles import make_staff as make_member

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not-the-right-password"
CLIENT_IP = "203.0.113.5"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Logging in many times: a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def en_url(name, *args):
    """The English admin address, so that the pages' English texts can be asserted."""
    with translation.override("en"):
        return reverse(name, args=args)


def make_staff(username="toimittaja", **kwargs):
    return get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, **kwargs
    )


def make_superuser(username="paakayttaja"):
    return get_user_model().objects.create_superuser(username, "root@example.fi", PASSWORD)


def make_account_manager(username="kayttajahallinta"):
    """An administrator who is not a superuser: may manage user accounts."""
    user = make_staff(username)
    group = Group.objects.create(name="Käyttäjähallinta")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="auth", codename="change_user")
    )
    user.groups.add(group)
    return user


def make_device(user, confirmed=True):
    return TOTPDevice.objects.create(user=user, name="Puhelin", confirmed=confirmed)


def current_code(device, steps_ahead=0):
    """The code the user's authenticator app shows now (or that many time steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    return f"{(int(current_code(device)) + 500000) % 1000000:06d}"


def log_in(client, username, password, code="", ip=CLIENT_IP, **headers):
    return client.post(
        en_url("admin:login"),
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=ip,
        **headers,
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


def admin_index_status(client):
    return client.get(en_url("admin:index")).status_code


# Login throttling


def test_five_wrong_passwords_lock_the_username_from_that_address():
    user = make_staff()
    for _attempt in range(5):
        response = log_in(Client(), user.username, WRONG_PASSWORD)
        assert not is_logged_in(Client())

    client = Client()
    response = log_in(client, user.username, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed login attempts" in response.text
    assert "Try again in 60 minutes" in response.text
    assert not is_logged_in(client)
    assert admin_index_status(client) == 302


def test_lockout_page_is_a_page_of_the_site_in_the_visitors_language():
    user = make_staff()
    for _attempt in range(5):
        log_in(Client(), user.username, WRONG_PASSWORD)

    with translation.override("fi"):
        login_url = reverse("admin:login")
    response = Client().post(
        login_url, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=CLIENT_IP
    )

    assert response.status_code == 429
    assert response.headers["Content-Language"] == "fi"
    assert '<html lang="fi"' in response.text
    assert response.text.count("<h1>") == 1
    # Not django-axes' own English message.
    assert "Account locked" not in response.text


def test_lockout_is_for_the_username_and_address_together():
    user = make_staff()
    for _attempt in range(5):
        log_in(Client(), user.username, WRONG_PASSWORD)

    other_address = Client()
    assert log_in(other_address, user.username, PASSWORD, ip="198.51.100.20").status_code == 302
    assert is_logged_in(other_address)

    other_user = make_staff("toinen")
    same_address = Client()
    assert log_in(same_address, other_user.username, PASSWORD).status_code == 302


def test_four_wrong_passwords_still_let_the_right_one_in_and_reset_the_count():
    user = make_staff()
    for _attempt in range(4):
        log_in(Client(), user.username, WRONG_PASSWORD)
    client = Client()
    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()

    # Without the reset these would make eight failures in a row.
    for _attempt in range(4):
        log_in(Client(), user.username, WRONG_PASSWORD)
    client = Client()
    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert admin_index_status(client) == 200


def test_forged_forwarded_header_is_ignored_without_a_proxy():
    user = make_staff()
    for attempt in range(5):
        log_in(Client(), user.username, WRONG_PASSWORD, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")

    response = log_in(Client(), user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert response.status_code == 429


def test_behind_a_proxy_the_lockout_follows_the_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    user = make_staff()
    for _attempt in range(5):
        log_in(Client(), user.username, WRONG_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=CLIENT_IP)

    locked = log_in(Client(), user.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=CLIENT_IP)
    # A client cannot choose its address by sending the header itself: the proxy appends
    # the address it sees.
    forged = log_in(
        Client(),
        user.username,
        PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT_IP}",
    )
    another_client = log_in(
        Client(), user.username, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.30"
    )

    assert (locked.status_code, forged.status_code) == (429, 429)
    assert another_client.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "198.51.100.1, 192.0.2.1", "192.0.2.1"),
        (2, "192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (2, "10.0.0.1", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_failed_logins_and_logins_are_listed_for_administrators(admin_client):
    user = make_staff()
    log_in(Client(), user.username, WRONG_PASSWORD)
    log_in(Client(), user.username, PASSWORD)

    failures = admin_client.get(en_url("admin:axes_accessfailurelog_changelist"))
    logins = admin_client.get(en_url("admin:axes_accesslog_changelist"))

    assert [entry.username for entry in failures.context["cl"].result_list] == [user.username]
    assert user.username in [entry.username for entry in logins.context["cl"].result_list]
    for name in ("accessfailurelog", "accesslog"):
        assert admin_client.get(en_url(f"admin:axes_{name}_add")).status_code == 403


def test_login_records_are_hidden_from_coordinators(coordinator_client):
    for name in ("accessfailurelog", "accesslog", "accessattempt"):
        response = coordinator_client.get(en_url(f"admin:axes_{name}_changelist"))
        assert response.status_code == 403


# Passwords


@pytest.mark.parametrize(
    "password",
    [
        "Lyhyt-sana1",  # 11 characters
        "password1234",  # a common password
        "12345678901234",  # only digits
        "maija.meikalainen",  # the username
    ],
)
def test_weak_passwords_are_rejected(password):
    user = get_user_model()(username="maija.meikalainen", email="maija@example.fi")

    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    user = get_user_model()(username="maija.meikalainen", email="maija@example.fi")

    validate_password("Kuusi-kettua-aidalla", user)


# Two-factor authentication


def test_user_with_a_device_must_give_the_code():
    user = make_staff()
    make_device(user)

    client = Client()
    response = log_in(client, user.username, PASSWORD)

    assert response.status_code == 200
    assert "Enter the code from your authenticator app." in response.text
    assert not is_logged_in(client)


def test_wrong_code_is_refused():
    user = make_staff()
    device = make_device(user)

    client = Client()
    response = log_in(client, user.username, PASSWORD, code=wrong_code(device))

    assert response.status_code == 200
    assert "The authentication code is not correct." in response.text
    assert not is_logged_in(client)


def test_right_code_logs_in():
    user = make_staff()
    device = make_device(user)

    client = Client()
    response = log_in(client, user.username, PASSWORD, code=current_code(device))

    assert response.status_code == 302
    assert admin_index_status(client) == 200


def test_wrong_codes_count_towards_the_lockout():
    user = make_staff()
    device = make_device(user)
    for _attempt in range(5):
        log_in(Client(), user.username, PASSWORD, code=wrong_code(device))

    client = Client()
    response = log_in(client, user.username, PASSWORD, code=current_code(device))

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_session_that_skipped_the_code_is_kept_out_of_the_admin(client):
    user = make_staff()
    make_device(user)
    client.force_login(user)

    response = client.get(en_url("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(en_url("admin:login"))


def test_user_without_a_device_logs_in_with_the_password_only():
    user = make_staff()

    client = Client()
    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert admin_index_status(client) == 200


def set_up_device(client):
    """Go through the set-up page as the user would; returns the confirmed device."""
    page = client.get(en_url("admin:two_factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert "otpauth://totp/" in page.text
    response = client.post(en_url("admin:two_factor"), {"otp_token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_user_sets_up_two_factor_authentication(client):
    user = make_staff()
    client.force_login(user)

    device = set_up_device(client)

    # The session that set it up stays in; a new login asks for the code.
    assert admin_index_status(client) == 200
    new_session = Client()
    assert log_in(new_session, user.username, PASSWORD).status_code == 200
    assert not is_logged_in(new_session)
    # The code used for the set-up is spent; the app's next one logs in.
    next_code = current_code(device, steps_ahead=1)
    assert log_in(new_session, user.username, PASSWORD, code=next_code).status_code == 302
    assert admin_index_status(new_session) == 200


def test_a_code_cannot_be_used_twice():
    user = make_staff()
    device = make_device(user)
    code = current_code(device)
    assert log_in(Client(), user.username, PASSWORD, code=code).status_code == 302

    client = Client()
    response = log_in(client, user.username, PASSWORD, code=code)

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_set_up_refuses_a_wrong_code(client):
    user = make_staff()
    client.force_login(user)
    client.get(en_url("admin:two_factor"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(en_url("admin:two_factor"), {"otp_token": wrong_code(device)})

    assert response.status_code == 200
    assert "The authentication code is not correct." in response.text
    device.refresh_from_db()
    assert not device.confirmed
    # Logging in still takes only the password.
    assert log_in(Client(), user.username, PASSWORD).status_code == 302


def test_admin_pages_link_to_the_set_up_page(admin_client):
    response = admin_client.get(en_url("admin:index"))

    assert en_url("admin:two_factor") in response.text


def test_set_up_page_needs_a_staff_login(client):
    response = client.get(en_url("admin:two_factor"))

    assert response.status_code == 302
    assert response.url.startswith(en_url("admin:login"))


def test_required_two_factor_sends_an_administrator_without_a_device_to_set_up(client, settings):
    settings.REQUIRE_ADMIN_2FA = True
    user = make_superuser()
    assert log_in(client, user.username, PASSWORD).status_code == 302

    for url in (en_url("admin:index"), en_url("admin:auth_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == en_url("admin:two_factor")
    page = client.get(en_url("admin:two_factor"))
    assert "Administrators must use two-factor authentication." in page.text

    set_up_device(client)

    assert admin_index_status(client) == 200


def test_required_two_factor_lets_an_administrator_with_a_device_in(client, settings):
    settings.REQUIRE_ADMIN_2FA = True
    user = make_superuser()
    device = make_device(user)

    assert log_in(client, user.username, PASSWORD, code=current_code(device)).status_code == 302

    assert admin_index_status(client) == 200


def test_required_two_factor_applies_to_those_who_manage_users(client, settings):
    settings.REQUIRE_ADMIN_2FA = True
    client.force_login(make_account_manager())

    response = client.get(en_url("admin:index"))

    assert response.status_code == 302
    assert response.url == en_url("admin:two_factor")


def test_required_two_factor_leaves_coordinators_optional(settings):
    settings.REQUIRE_ADMIN_2FA = True
    coordinator = make_coordinator()

    client = Client()
    assert log_in(client, coordinator.username, PASSWORD).status_code == 302
    assert admin_index_status(client) == 200


def test_administrator_who_must_set_up_can_still_log_out(client, settings):
    settings.REQUIRE_ADMIN_2FA = True
    client.force_login(make_superuser())

    response = client.post(en_url("admin:logout"))

    assert response.status_code == 200
    assert not is_logged_in(client)


# Sessions


def test_session_ends_with_the_browser_and_after_eight_hours(client):
    user = make_staff()

    response = log_in(client, user.username, PASSWORD)

    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]
    session = Session.objects.get(session_key=cookie.value)
    expected = timezone.now() + timedelta(hours=8)
    assert abs(session.expire_date - expected) < timedelta(minutes=1)


def test_session_cookie_age_follows_the_setting(client, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    settings.SESSION_COOKIE_AGE = 3600
    user = make_staff()

    response = log_in(client, user.username, PASSWORD)

    assert response.cookies["sessionid"]["max-age"] == 3600


def test_expired_session_must_log_in_again(client):
    user = make_staff()
    log_in(client, user.username, PASSWORD)
    assert admin_index_status(client) == 200

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(en_url("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(en_url("admin:login"))


# Audit log


def test_audit_log_lists_a_change_made_in_the_admin(admin_client, superuser):
    admin_client.post(en_url("admin:auth_group_add"), {"name": "Julkaisijat"})
    group = Group.objects.get(name="Julkaisijat")

    response = admin_client.get(en_url("admin:admin_logentry_changelist"))

    assert response.status_code == 200
    assert "<h1>Audit log</h1>" in response.text
    [entry] = response.context["cl"].result_list
    assert (entry.user, entry.object_repr, entry.get_action_flag_display()) == (
        superuser,
        "Julkaisijat",
        "Addition",
    )
    assert en_url("admin:auth_group_change", group.pk) in response.text


def test_audit_log_filters_by_user_content_type_and_action(admin_client, superuser):
    admin_client.post(en_url("admin:auth_group_add"), {"name": "Julkaisijat"})
    other = make_superuser("toinen-paakayttaja")
    other_client = Client()
    other_client.force_login(other)
    other_client.post(en_url("admin:auth_group_add"), {"name": "Tuojat"})

    by_user = admin_client.get(
        en_url("admin:admin_logentry_changelist"), {"user__id__exact": other.pk}
    )
    by_action = admin_client.get(
        en_url("admin:admin_logentry_changelist"), {"action_flag__exact": 2}
    )
    group_type = by_user.context["cl"].result_list[0].content_type
    by_type = admin_client.get(
        en_url("admin:admin_logentry_changelist"), {"content_type__id__exact": group_type.pk}
    )

    assert [entry.object_repr for entry in by_user.context["cl"].result_list] == ["Tuojat"]
    assert list(by_action.context["cl"].result_list) == []
    assert len(by_type.context["cl"].result_list) == 2


def test_audit_log_is_read_only(admin_client):
    admin_client.post(en_url("admin:auth_group_add"), {"name": "Julkaisijat"})
    entry = admin_client.get(en_url("admin:admin_logentry_changelist")).context["cl"].result_list[0]
    change_url = en_url("admin:admin_logentry_change", entry.pk)

    assert admin_client.get(en_url("admin:admin_logentry_add")).status_code == 403
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert admin_client.post(change_url, {"object_repr": "Muutettu"}).status_code == 403
    assert (
        admin_client.post(
            en_url("admin:admin_logentry_delete", entry.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.object_repr == "Julkaisijat"


def test_audit_log_is_listed_on_the_admin_index_for_administrators(admin_client):
    response = admin_client.get(en_url("admin:index"))

    assert en_url("admin:admin_logentry_changelist") in response.text
    assert "Audit log" in response.text


def test_audit_log_is_hidden_from_coordinators(coordinator_client):
    index = coordinator_client.get(en_url("admin:index"))
    response = coordinator_client.get(en_url("admin:admin_logentry_changelist"))

    assert index.status_code == 200
    assert "Audit log" not in index.text
    assert response.status_code == 403


def test_audit_log_and_login_records_are_visible_to_those_who_manage_users(client):
    client.force_login(make_account_manager())

    index = client.get(en_url("admin:index"))
    for url_name in (
        "admin:admin_logentry_changelist",
        "admin:axes_accesslog_changelist",
        "admin:axes_accessfailurelog_changelist",
        "admin:axes_accessattempt_changelist",
    ):
        assert en_url(url_name) in index.text
        assert client.get(en_url(url_name)).status_code == 200
    assert client.get(en_url("admin:admin_logentry_add")).status_code == 403


def test_administrator_removes_the_device_of_a_user_who_lost_their_phone(client):
    user = make_staff()
    device = make_device(user)
    client.force_login(make_account_manager())

    page = client.get(en_url("admin:otp_totp_totpdevice_change", device.pk))
    assert page.status_code == 200
    assert device.key not in page.text
    assert client.get(en_url("admin:otp_totp_totpdevice_add")).status_code == 403
    response = client.post(en_url("admin:otp_totp_totpdevice_delete", device.pk), {"post": "yes"})

    assert response.status_code == 302
    assert log_in(Client(), user.username, PASSWORD).status_code == 302


def test_administrator_lifts_a_lockout(client):
    user = make_staff()
    for _attempt in range(5):
        log_in(Client(), user.username, WRONG_PASSWORD)
    assert log_in(Client(), user.username, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username=user.username)
    client.force_login(make_account_manager())

    response = client.post(en_url("admin:axes_accessattempt_delete", attempt.pk), {"post": "yes"})

    assert response.status_code == 302
    assert log_in(Client(), user.username, PASSWORD).status_code == 302


def test_coordinators_do_not_see_devices(coordinator_client):
    device = make_device(make_staff())

    response = coordinator_client.get(en_url("admin:otp_totp_totpdevice_change", device.pk))

    assert response.status_code == 403


def test_the_authenticator_list_speaks_finnish_and_never_shows_a_key(client):
    owner = get_user_model().objects.create_user("puhelimen-omistaja", is_staff=True)
    TOTPDevice.objects.create(user=owner, name="Työpuhelin", confirmed=True)
    client.force_login(make_member("yllapitaja-2", ADMINISTRATOR))

    index = client.get("/admin/").content.decode()
    page = client.get("/admin/otp_totp/totpdevice/").content.decode()

    assert "Todennussovellukset" in index and "TOTP device" not in index
    assert "Työpuhelin" in page and "puhelimen-omistaja" in page
    assert "Todennussovellukset" in page and "TOTP" not in page
    assert "qrcode" not in page and "otpauth" not in page
