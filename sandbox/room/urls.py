from django.urls import re_path

from . import views

urlpatterns = [
    # Rooms are linked as <server>/<room>, without a trailing slash; both forms open the room.
    re_path(r"^(?P<room>[A-Za-z0-9_-]{1,100})/?$", views.room_page, name="sandbox_room"),
]
