"""The sandbox's room server: ClinicPro's self-hosted rooms open here in the demo and the tests.

It checks each link as a Jitsi server with token authentication does, records
who joined, and shows them with their role. No audio or video: it proves the
journey and the access control, nothing more.
"""
