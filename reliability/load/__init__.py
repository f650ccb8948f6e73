"""Load model of the Monday-morning peak (RELIABILITY row 29): locustfile and driver."""
