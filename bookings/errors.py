class BookingError(Exception):
    """A booking operation that cannot be done; the message is fit to show a person."""

    default_message = "This booking cannot be changed that way."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class SlotTaken(BookingError):
    """Someone else got the time first (the database refused the overlap)."""

    default_message = "Sorry, that slot was just taken. Please pick another time."


class SlotUnavailable(BookingError):
    """The time is not one the practitioner offers: outside hours, too soon, too far ahead, or busy."""

    default_message = "That time is not available. Please pick another slot."


class InvalidTransition(BookingError):
    pass


class OutsideCutoff(BookingError):
    default_message = "It is too close to the appointment to change it online. Please contact the clinic."
