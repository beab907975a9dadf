from django.apps import AppConfig


class Customer360Config(AppConfig):
    """The customer 360 read model: one timeline per customer over tickets, messages,
    surveys, calls, purchases and notes, and the staff pages of customers. It sits above
    the apps it reads, so none of them depends on it."""

    name = "caredesk.customer360"
    label = "customer360"
    verbose_name = "Customer 360"
