from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from caredesk.knowledge.enums import Visibility
from caredesk.knowledge.models import Article


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=250, label=gettext_lazy("Title"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        label=gettext_lazy("Body (Markdown)"),
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=gettext_lazy("Questions this answers (one a line)"),
    )
    keywords = forms.CharField(required=False, label=gettext_lazy("Keywords (comma-separated)"))
    category = forms.CharField(
        required=False, max_length=250, label=gettext_lazy("Category / Section")
    )
    locale = forms.ChoiceField(choices=settings.LANGUAGES, label=gettext_lazy("Language"))
    visibility = forms.ChoiceField(choices=Visibility.choices, label=gettext_lazy("Visibility"))
    translation_of = forms.ModelChoiceField(
        queryset=Article.objects.filter(translation_of__isnull=True).order_by("title"),
        required=False,
        label=gettext_lazy("Translation of"),
    )
    related = forms.CharField(
        required=False,
        label=gettext_lazy("Related articles (their numbers, comma-separated)"),
    )
    publish_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Publish at (optional)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_related(self) -> list[Article]:
        numbers = [n.strip().lstrip("#") for n in self.cleaned_data.get("related", "").split(",")]
        numbers = [n for n in numbers if n]
        if not all(n.isdigit() for n in numbers):
            raise forms.ValidationError(gettext_lazy("Give article numbers, such as 12, 40."))
        wanted = {int(n) for n in numbers}
        found = list(Article.objects.filter(pk__in=wanted).order_by("title"))
        missing = wanted - {a.pk for a in found}
        if missing:
            raise forms.ValidationError(
                gettext_lazy("There is no article %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in sorted(missing))}
            )
        return found

    def question_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("questions", ""))

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.cleaned_data.get("keywords", "").split(",") if k.strip()]


class ArticleImageForm(forms.Form):
    image = forms.ImageField(label=gettext_lazy("Add an image (PNG, JPEG, GIF or WebP)"))
