import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure an admin account exists (DJANGO_SUPERUSER_USERNAME/PASSWORD, or a generated password shown once). "
        "With --new-password, give it a new password (DJANGO_SUPERUSER_PASSWORD, or a generated one shown once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-password",
            action="store_true",
            help="Set a new password on the admin account (creating it if missing) and print it.",
        )

    def handle(self, *args, new_password=False, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or "admin@example.com"
        user = User.objects.filter(username=username).first()
        generated = password is None
        if user is not None:
            if password or new_password:
                password = password or secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
            if new_password:
                self._report(f"New password for admin '{username}'", password, generated)
            else:
                self.stdout.write(
                    f"Admin account '{username}' already exists. Forgot its password? Run `make admin-password`."
                )
            return
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        self._report(f"Created admin '{username}'", password, generated)

    def _report(self, what, password, generated):
        if generated:
            self.stdout.write(self.style.WARNING(f"{what} with password: {password}  (shown once; log in at /admin/)"))
        else:
            self.stdout.write(f"{what}.")
