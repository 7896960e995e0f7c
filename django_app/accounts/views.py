"""The account views: sign-up, the current user, and issuing and revoking tokens (spec 7)."""

from django.urls import reverse
from tasks.parsing import request_document
from tasks.views import JsonView, json_response, no_content_response

from accounts.authentication import BearerTokenRequiredMixin, account_service
from tasktracker.accounts import token_document, user_document
from tasktracker.http import TOKEN_RESPONSE_HEADERS


# region: auth
class SignUpView(JsonView):
    def post(self, request):
        service = account_service(request)
        # With ALLOW_SIGNUP=false the answer is a 403 whatever the body (spec 7.1): not read yet.
        service.check_signup_open()
        user = service.sign_up(request_document(request))
        headers = {"Location": reverse("accounts:current-user")}
        return json_response(user_document(user.id, user.username, user.created_at), status=201, headers=headers)


class CurrentUserView(BearerTokenRequiredMixin, JsonView):
    def get(self, request):
        return json_response(user_document(request.user.id, request.user.username, request.user.date_joined))


class TokenView(JsonView):
    def post(self, request):
        issued = account_service(request).issue_token(request_document(request))
        return json_response(
            token_document(issued.token, issued.expires_at), status=201, headers=TOKEN_RESPONSE_HEADERS
        )


class CurrentTokenView(BearerTokenRequiredMixin, JsonView):
    def delete(self, request):
        account_service(request).revoke(request.authenticated)
        return no_content_response()


# endregion
