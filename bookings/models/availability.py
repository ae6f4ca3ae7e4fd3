from django.core.exceptions import ValidationError
from django.db import models

from .practitioner import Practitioner


class WorkingHours(models.Model):
    """A weekly recurring window, in the practitioner's local time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """A date that differs from the weekly pattern: time off, or extra hours."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", "Time off"
        EXTRA = "extra", "Extra hours"

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Both empty on time off means the whole day.
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"

    def clean(self) -> None:
        if self.kind == self.Kind.EXTRA and not (self.start_time and self.end_time):
            raise ValidationError("Extra hours need a start and an end time.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start."})
