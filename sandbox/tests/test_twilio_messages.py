"""The Twilio emulator lists what an account sent as Twilio does: filters, newest first, pages, date_sent."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from notifications.conftest import wait_for
from sandbox.models import Service, TextAccount, TextMessage

SID, TOKEN = "AC" + "2" * 32, "emulated-twilio-token"
FROM, ACHIENG, BARAKA = "+15005550006", "+254712345678", "+254722000111"


@pytest.fixture
def twilio(sandbox, http):
    TextAccount.objects.create(service=Service.TWILIO, username=SID, secret=TOKEN, senders=[FROM])
    http.auth = (SID, TOKEN)
    return f"{sandbox}/twilio/2010-04-01/Accounts/{SID}/Messages.json"


def sent(twilio, http, to: str, body: str) -> str:
    answer = http.post(twilio, data={"To": to, "From": FROM, "Body": body}, timeout=5)
    assert answer.status_code == 201 and answer.json()["date_sent"] is None
    return answer.json()["sid"]


def listed(http, url: str, **params) -> dict:
    answer = http.get(url, params=params, timeout=5)
    assert answer.status_code == 200
    return answer.json()


def test_it_lists_an_accounts_messages_to_one_number_newest_first_in_pages(twilio, http, sandbox):
    first = sent(twilio, http, ACHIENG, "one")
    sent(twilio, http, BARAKA, "two")
    last = sent(twilio, http, ACHIENG, "three")

    page = listed(http, twilio, To=ACHIENG, From=FROM, PageSize=1)

    assert [m["sid"] for m in page["messages"]] == [last] and page["messages"][0]["direction"] == "outbound-api"
    assert page["page"] == 0 and page["page_size"] == 1 and page["previous_page_uri"] is None
    following = listed(http, sandbox + "/twilio" + page["next_page_uri"])
    assert [m["sid"] for m in following["messages"]] == [first] and following["next_page_uri"] is None
    assert [m["body"] for m in listed(http, twilio, To=BARAKA)["messages"]] == ["two"]


def test_date_sent_filters_read_utc_days_and_skip_messages_not_sent_yet(twilio, http):
    account = TextAccount.objects.get(username=SID)
    yesterday = timezone.now() - timedelta(days=1)
    TextMessage.objects.create(
        account=account, message_id="SM" + "a" * 32, sender=FROM, to=ACHIENG, body="old", sent_at=yesterday
    )
    TextMessage.objects.create(account=account, message_id="SM" + "b" * 32, sender=FROM, to=ACHIENG, body="queued")
    day = yesterday.astimezone(UTC).date()

    def bodies(**params) -> list[str]:
        return [m["body"] for m in listed(http, twilio, To=ACHIENG, **params)["messages"]]

    assert sorted(bodies()) == ["old", "queued"]
    assert bodies(DateSent=day.isoformat()) == ["old"]
    assert bodies(**{"DateSent>": day.isoformat()}) == ["old"]
    assert bodies(**{"DateSent>": (day + timedelta(days=1)).isoformat()}) == []
    assert bodies(**{"DateSent<": (day - timedelta(days=1)).isoformat()}) == []
    date_sent = listed(http, twilio, DateSent=day.isoformat())["messages"][0]["date_sent"]
    assert datetime.strptime(date_sent, "%a, %d %b %Y %H:%M:%S %z").date() == day


def test_a_sent_message_gets_its_date_sent_and_a_bad_date_or_credentials_are_refused(twilio, http):
    sid = sent(twilio, http, ACHIENG, "hello")

    assert wait_for(lambda: listed(http, twilio, To=ACHIENG)["messages"][0]["status"] == "delivered")
    assert listed(http, twilio, DateSent=timezone.now().astimezone(UTC).date().isoformat())["messages"][0]["sid"] == sid
    assert http.get(twilio, params={"DateSent": "04/03/2031"}, timeout=5).status_code == 400
    assert http.get(twilio, auth=(SID, "wrong"), timeout=5).status_code == 401
