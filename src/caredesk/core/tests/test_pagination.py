import pytest

from caredesk.core.errors import ValidationFailed
from caredesk.core.pagination import keyset_page
from caredesk.customers.factories import CustomerFactory
from caredesk.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_keyset_pages_cover_everything_once() -> None:
    made = [CustomerFactory().pk for _ in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(Customer.objects.all(), ordering=("-id",), cursor=cursor, limit=3)
        seen += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(made, reverse=True)


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4Il0", "!!!"])
def test_bad_cursor_is_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        keyset_page(Customer.objects.all(), ordering=("-id",), cursor=cursor, limit=3)
    assert exc.value.code == "invalid_cursor"


def test_limit_is_bounded() -> None:
    with pytest.raises(ValidationFailed):
        keyset_page(Customer.objects.all(), ordering=("-id",), cursor=None, limit=0)
