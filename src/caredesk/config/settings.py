"""Django settings; every value from the environment comes through config.env."""

from __future__ import annotations

from pathlib import Path

from caredesk.config.env import (
    cache_config,
    channel_layers_config,
    chat_ws_sources,
    database_config,
    email_config,
    read_env,
)
from caredesk.config.schedule import beat_schedule

ENV = read_env()
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.data_dir

DEBUG = ENV.debug
SECRET_KEY = ENV.secret_key
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "ninja",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "caredesk.core",
    "caredesk.accounts",
    "caredesk.customers",
    "caredesk.tickets",
    "caredesk.surveys",
    "caredesk.search",
    "caredesk.channels",
    "caredesk.staffing",
    "caredesk.sla",
    "caredesk.routing",
    "caredesk.automation",
    "caredesk.notifications",
    "caredesk.analytics",
    "caredesk.customer360",
    "caredesk.knowledge",
    "caredesk.chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the browser's language, for anyone
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "caredesk.core.i18n.PreferredLanguageMiddleware",  # a signed-in user's own choice
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "caredesk.accounts.middleware.MfaRequiredMiddleware",
    "caredesk.core.web.DomainErrorMiddleware",
]

ROOT_URLCONF = "caredesk.config.urls"
WSGI_APPLICATION = "caredesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config(ENV.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "caredesk.accounts.backends.EmailOrUsernameBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "sesame.backends.ModelBackend",  # the portal's magic sign-in links
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in, sign-up, password reset and two-factor authentication: django-allauth.
ACCOUNT_ADAPTER = "caredesk.customers.signup.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "caredesk.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "caredesk.accounts.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
# A customer account sees the history of the customer with that address, so the
# address is proven before the first sign-in.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",  # key: the address or username tried
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[caredesk] "
CAREDESK_SIGNUP_OPEN = ENV.signup_open
CAREDESK_BASE_URL = ENV.base_url  # links in mail that background jobs send (surveys)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "caredesk"
# Magic sign-in links for the customer portal: one use, fifteen minutes.
SESAME_MAX_AGE = 15 * 60
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "token"  # noqa: S105  # the URL parameter's name

CACHES = {"default": cache_config(ENV.redis_url, DATA_DIR)}
CHANNEL_LAYERS = channel_layers_config(ENV.redis_url)
ASGI_APPLICATION = "caredesk.config.asgi.application"
CAREDESK_CHAT_WS_URL = ENV.chat_ws_url
CAREDESK_CHAT_WS_PORT = ENV.chat_ws_port

# Background jobs (docs/jobs.md). With a broker, Celery: a job is acknowledged only
# when it finished, and one whose worker died goes back to the queue. Without one, the
# embedded mode runs the same jobs in the serving process.
CAREDESK_JOBS = "celery" if ENV.broker_url else "embedded"
# what follows every ticket change, in order (caredesk.tickets.changes.ticket_changed)
CAREDESK_TICKET_REACTIONS = "caredesk.config.reactions.TICKET_REACTIONS"
CAREDESK_CHAT_REACTIONS = "caredesk.config.reactions.CHAT_REACTIONS"
# who answers for the clocks a ticket shows (caredesk.tickets.clocks)
CAREDESK_TICKET_CLOCKS = "caredesk.sla.selectors"
CAREDESK_PERIODIC_JOBS = "caredesk.config.schedule.PERIODIC_JOBS"  # the periodic jobs
CELERY_BROKER_URL = ENV.broker_url or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job whose worker died unacknowledged goes back to the queue once it has been out for
# the visibility timeout; the broker is swept for such jobs every few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": ENV.job_visibility_timeout,
    "unacked_restore_interval": max(1, min(10, ENV.job_visibility_timeout)),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = beat_schedule()
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CAREDESK_WEBHOOK_TIMEOUT = ENV.webhook_timeout
for _key, _value in email_config(ENV.email_url).items():
    if _value is not None and _value != "":
        globals()[_key] = _value
DEFAULT_FROM_EMAIL = ENV.default_from_email
SERVER_EMAIL = ENV.default_from_email

# Scripts and styles come from caredesk's own origin only; no inline script.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs", "/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # chat's WebSockets, when a server of their own serves them
        "connect-src": ["'self'", *chat_ws_sources(ENV.chat_ws_url, ENV.chat_ws_port)],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

LANGUAGE_CODE = "en"
# The languages caredesk speaks: its own catalogue is src/caredesk/locale (compiled by
# `make install`); Django and allauth bring theirs.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]  # each in its own words
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "caredesk_language"
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendored htmx and Pico CSS, caredesk.css/js
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Cookies travel over HTTPS only unless DEBUG (or SECURE_COOKIES=false for plain-HTTP
# loopback use such as benchmarks).
SESSION_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_SECURE = ENV.secure_cookies
if ENV.behind_tls_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CAREDESK_RECENCY_DAYS_DEFAULT = ENV.recency_days_default
CAREDESK_MAX_ATTACHMENT_BYTES = ENV.max_attachment_bytes
DATA_UPLOAD_MAX_MEMORY_SIZE = ENV.max_attachment_bytes + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"caredesk": {"level": "INFO"}},
}
