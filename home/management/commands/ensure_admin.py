import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make sure an admin account exists (DJANGO_SUPERUSER_USERNAME/PASSWORD, or a generated password shown once)."

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or "admin@example.com"
        user = User.objects.filter(username=username).first()
        if user is not None:
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
            self.stdout.write(f"Admin account '{username}' already exists.")
            return
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin '{username}' with password: {password}  (shown once; log in at /admin/)"
                )
            )
        else:
            self.stdout.write(f"Created admin '{username}'.")
