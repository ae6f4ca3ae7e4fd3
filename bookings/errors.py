class BookingError(Exception):
    """A booking operation that cannot be done; the message is fit to show a person."""

    default_message = "This booking cannot be changed that way."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class SlotTaken(BookingError):
    default_message = "Sorry, that slot was just taken. Please pick another time."


class InvalidTransition(BookingError):
    pass


class OutsideCutoff(BookingError):
    default_message = "It is too close to the appointment to change it online. Please contact the clinic."
