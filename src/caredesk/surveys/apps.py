from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "caredesk.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from caredesk.channels.mail.outbound import sent_under
        from caredesk.core.cache import clear_when_changed
        from caredesk.surveys.delivery import invitation_sent
        from caredesk.surveys.models import SurveySettings
        from caredesk.surveys.services import SETTINGS_CACHE_KEY

        clear_when_changed(SurveySettings, keys=lambda: [SETTINGS_CACHE_KEY])
        sent_under("s", invitation_sent)  # delivery reports of invitations
