# gunicorn settings shared by the Docker image, docker-compose and the benchmarks.
# The access log goes to stdout through a logger that redacts the tokens in links
# (/b/, /j/, /feeds/, /invite/, OAuth codes).
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
logger_class = "clinicpro.gunicorn_logging.RedactingLogger"
