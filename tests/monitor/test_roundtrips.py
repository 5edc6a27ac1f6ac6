"""Writes sent together (monitor.roundtrips): applied as sent, one round trip, and an error
among them raises Django's own exception at the block's end, undoing the transaction."""

import pytest
from django.db import IntegrityError, connection, transaction

from monitor import roundtrips
from monitor.models import Organization
from tests.helpers.roundtrips import RoundTrips

pytestmark = pytest.mark.django_db(transaction=True)


def _rename(org_id: int, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE monitor_organization SET name = %s WHERE id = %s", [name, org_id])


def test_writes_sent_together_are_applied_in_order_in_one_round_trip():
    org = Organization.objects.create(name="before", slug="a")
    trips = RoundTrips()
    with connection.execute_wrapper(trips), transaction.atomic():
        with roundtrips.together():
            _rename(org.pk, "first")
            _rename(org.pk, "second")
            _rename(org.pk, "third")
        with connection.cursor() as cursor:  # read after the batch: its writes are there
            cursor.execute("SELECT name FROM monitor_organization WHERE id = %s", [org.pk])
            assert cursor.fetchone() == ("third",)
    assert [batch is not None for _sql, batch in trips.statements] == [True, True, True, False]
    assert trips.count() == 2
    org.refresh_from_db()
    assert org.name == "third"


def test_an_error_in_the_batch_raises_django_s_exception_and_undoes_the_transaction():
    org = Organization.objects.create(name="before", slug="a")
    Organization.objects.create(name="other", slug="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        _rename(org.pk, "changed before the batch")
        with roundtrips.together(), connection.cursor() as cursor:
            _rename(org.pk, "changed in the batch")
            cursor.execute("UPDATE monitor_organization SET slug = 'b' WHERE id = %s", [org.pk])
            _rename(org.pk, "never run")
    org.refresh_from_db()
    assert (org.name, org.slug) == ("before", "a")
    assert Organization.objects.count() == 2  # the connection works on after the error
