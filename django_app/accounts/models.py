"""What Django's auth.User does not hold: the API's bearer tokens and the failed token requests.

The user model is Django's own (``settings.AUTH_USER_MODEL``, auth.User): its ``username``,
``password`` (the hasher's encoded hash) and ``date_joined`` are the spec's user.
"""

from django.conf import settings
from django.db import models


# region: auth
class ApiToken(models.Model):
    # The token's SHA-256 in hex: the token itself is never stored (spec 7.2).
    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"token of user {self.user_id}"


class LoginFailure(models.Model):
    # accounts.failure_key(): the SHA-256 of the normalised username, whether or not it exists,
    # so a name of any length takes one fixed-size index entry.
    username_digest = models.CharField(max_length=64)
    failed_at = models.DateTimeField()

    class Meta:
        # The lock-out reads one username's failures within the window.
        indexes = [models.Index(fields=["username_digest", "failed_at"], name="login_failures_username_at")]

    def __str__(self):
        return f"failure at {self.failed_at}"


# endregion
