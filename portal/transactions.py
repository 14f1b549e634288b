from django.db import transaction


def once_on_commit(func, robust: bool = True) -> None:
    """Run func once the current transaction commits (at once outside one),
    once however many saves the transaction holds: an import of 100,000
    stories saves each in turn. Robust by default: a failure is logged, never
    turned into an error page after the change has committed."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        registered is func
        for _savepoints, registered, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(func, robust=robust)
