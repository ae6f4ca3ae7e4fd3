"""Who opened a room on the sandbox's room server (a stand-in for a Jitsi server)."""

from django.db import models


class RoomJoin(models.Model):
    """One participant of a room, as the room server admitted them; opening the room again is the same join."""

    room = models.CharField(max_length=100)
    # Who joined: a fingerprint of their token, or in an open room their browser's visitor cookie.
    visitor = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200)
    # Set from the token's moderator claim; in an open room the first to join moderates instead.
    is_moderator = models.BooleanField(default=False)
    signed = models.BooleanField(help_text="Admitted with a verified token, not as a guest of an open room.")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["room", "visitor"], name="sandbox_room_join_once")]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.room}"
