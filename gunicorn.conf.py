"""gunicorn settings, from the environment; the container and `make run` both use this file."""

import os

wsgi_app = "langportal.wsgi:application"
# In the container, every interface: the host's port mapping is the only way in. `make run` binds loopback.
bind = f"{os.environ.get('GUNICORN_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
limit_request_line = 8190  # gunicorn's largest: long query strings get Django's 400, not a bare 414
# The load balancer (or API Gateway) in front of us sets X-Forwarded-*.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# Apache's combined format, plus the time taken in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# No control socket: it would live outside the project, and instances would share it.
control_socket_disable = True


def on_starting(server):
    """Refuse to serve without a secret key, then bring Django's small database (the
    users cache) up to date before workers start."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")
    django.setup()
    # Settings allow an empty key (the Lambdas sign nothing) and Django raises
    # ImproperlyConfigured when an empty one is read. The web app signs sessions and CSRF
    # tokens: read it now, so that a missing key stops gunicorn, not the first sign-in.
    settings.SECRET_KEY  # noqa: B018
    call_command("migrate", interactive=False, verbosity=0)
