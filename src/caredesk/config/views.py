"""Admin screens for settings that belong to no single domain: custom fields, and the
settings page (the lifecycle window of customers, the two-factor policy of accounts)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import admin_required, user_of
from caredesk.accounts.services import (
    access_settings_get,
    access_settings_update,
    user_language_set,
)
from caredesk.core.custom_fields import custom_field_delete
from caredesk.core.errors import DomainError, ValidationFailed
from caredesk.core.forms import CustomFieldForm
from caredesk.core.i18n import language_check
from caredesk.core.models import CustomField
from caredesk.core.web import model_screen
from caredesk.customers.services import crm_settings_get, crm_settings_update, customer_update


@require_http_methods(["GET", "POST"])
@admin_required
def custom_fields(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=CustomFieldForm,
        objects=CustomField.objects.order_by("entity", "position", "key"),
        object_id=object_id,
        title=_("Custom fields"),
        url_name="manage:custom_fields",
        columns=["key", "entity", "label", "field_type", "required"],
        delete=lambda field: custom_field_delete(field=field),
    )


class SettingsForm(forms.Form):
    recency_window_days = forms.IntegerField(
        min_value=1,
        max_value=36500,
        label=gettext_lazy("Lifecycle recency window (days)"),
        help_text=gettext_lazy("A customer with a purchase within this many days is 'existing'."),
    )
    mfa_required_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Roles that must use two-factor sign-in"),
    )


@require_http_methods(["GET", "POST"])
@admin_required
def settings_page(request: HttpRequest) -> HttpResponse:
    initial = {
        "recency_window_days": crm_settings_get().recency_window_days,
        "mfa_required_roles": access_settings_get().mfa_required_roles,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            crm_settings_update(recency_window_days=form.cleaned_data["recency_window_days"])
            access_settings_update(mfa_required_roles=form.cleaned_data["mfa_required_roles"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("manage:settings")
    return render(request, "accounts/manage/settings.html", {"nav": "manage", "form": form})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Choose the language of caredesk's pages (the switch in every page's header): kept
    for a signed-in member of staff, on the customer for a customer (so their emails and
    surveys speak it too), and in a cookie for everyone. Back to the page it came from."""
    back = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    try:
        language = language_check(request.POST.get("language"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if request.user.is_authenticated:
        user = user_of(request)
        if user.is_staff_member:
            user_language_set(user=user, language=language)
        elif user.customer is not None:
            customer_update(customer=user.customer, data={"language": language})
    response = redirect(back)
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
