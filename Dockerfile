# ClinicPro image: one image for web (gunicorn), worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .
# Static files are collected at build time (whitenoise serves them with hashed names).
# The throwaway keys only satisfy the settings' production checks for this one command.
RUN SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    SANDBOX_ENABLED=0 python manage.py collectstatic --noinput \
 && useradd --system --home /app clinicpro \
 && mkdir -p /app/var && chown clinicpro /app/var

USER clinicpro
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "clinicpro.wsgi:application"]
