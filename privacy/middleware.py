from privacy.rules import end_request_memo, fresh_request_memo


class NameMemoMiddleware:
    """Works out the site's protected names at most once per request (every
    program card on a page needs them), and never carries them to the next."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = fresh_request_memo()
        try:
            return self.get_response(request)
        finally:
            end_request_memo(token)
