"""The test suite's e-mail backend: Django's in-memory outbox that fails the test when a message
is handed over while a database transaction is open (the test case's own wrapping transaction
aside). Every e-mail must go through the outbox relay, which runs outside any transaction; a send
inside one is the bug the outbox exists to prevent."""

from django.core.mail.backends.locmem import EmailBackend

from leerkracht.mail import refuse_in_transaction


class TransactionGuardEmailBackend(EmailBackend):
    def send_messages(self, messages):
        refuse_in_transaction("An e-mail is handed to the mail backend")
        return super().send_messages(messages)
