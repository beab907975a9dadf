"""Error codes of the surveys domain."""

from enum import StrEnum


class SurveyErrorCode(StrEnum):
    """The codes of the surveys domain's refusals, as problem bodies carry them."""

    EMPTY_COMMENT = "empty_comment"
    EMPTY_OUTCOME = "empty_outcome"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    FOLLOW_UP_DONE = "follow_up_done"
    INVALID_SCORE = "invalid_score"
    INVALID_SURVEY = "invalid_survey"
    SURVEY_ANSWERED = "survey_answered"
    SURVEY_COMMENTED = "survey_commented"
    SURVEY_EXPIRED = "survey_expired"
    SURVEY_NOT_ANSWERED = "survey_not_answered"
