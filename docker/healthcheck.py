"""The container's health check: GET /healthz from inside the container (the image has no
curl). Exits 0 when the web server answers 200, else 1.

The request is sent to the port gunicorn listens on (GUNICORN_BIND, else PORT, as
config/gunicorn.conf.py reads them), with a host name the site accepts (the first of
ALLOWED_HOSTS): Django refuses requests for other host names.
"""

import os
import sys
import urllib.error
import urllib.request


def port():
    binds = os.environ.get("GUNICORN_BIND", "").strip()
    for bind in binds.split(","):
        bind = bind.strip()
        if bind and not bind.startswith(("unix:", "fd://")) and ":" in bind:
            return bind.rsplit(":", 1)[1]
    return os.environ.get("PORT", "").strip() or "8000"


def host():
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and "*" not in name:
            return name
    return "localhost"


def main():
    request = urllib.request.Request(f"http://127.0.0.1:{port()}/healthz", headers={"Host": host()})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"/healthz: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
