"""Google: OAuth, Calendar events carrying Meet conferences, and free/busy, through one client."""
