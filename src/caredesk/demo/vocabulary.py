"""Words for synthetic tickets: enough variety that search and lists look real."""

PRODUCTS = ["router", "laptop", "printer", "phone", "subscription", "invoice", "account",
            "password", "delivery", "order", "refund", "warranty", "app", "camera", "monitor",
            "headset", "license", "backup", "email", "payment"]
PROBLEMS = ["not working", "keeps crashing", "was charged twice", "arrived damaged",
            "cannot log in", "is very slow", "shows an error", "never arrived",
            "stopped syncing", "needs an update", "is missing", "was cancelled"]
OPENERS = ["Hello,", "Hi team,", "Good morning,", "Dear support,", "Hey,"]
BODIES = [
    "My {p} {q} since yesterday and I need it for work.",
    "I tried restarting the {p} but it {q}. Can you help?",
    "This is the third time my {p} {q}. I am losing patience.",
    "Could you check why the {p} {q}? Order reference {n}.",
    "The {p} {q} after the last update. Thanks for looking into it.",
]
REPLIES = [
    "Thanks for reaching out. I have checked your {p} and reset the configuration.",
    "Sorry for the trouble with your {p}. A replacement is on its way, reference {n}.",
    "I have escalated the {p} issue to our specialists and will update you tomorrow.",
    "Could you send us a photo of the {p} and the exact error message?",
    "Your refund for the {p} has been processed; it shows within 5 working days.",
]
FIRST_NAMES = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Isla",
               "Jonas", "Kira", "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa",
               "Sam", "Tara", "Umar", "Vera", "Will", "Xenia", "Yusuf", "Zoe", "Aiko", "Björn",
               "Chiara", "Dmitri", "Elif", "François", "Günter", "Hana", "Ines", "José"]
LAST_NAMES = ["Smith", "Müller", "García", "Rossi", "Dubois", "Nowak", "Jansen", "Silva",
              "Kowalski", "Berg", "Novak", "Murphy", "Lindqvist", "Papadopoulos", "Yilmaz",
              "Tanaka", "Okafor", "Hansen", "Costa", "Fischer", "Martin", "Kim", "Singh"]
COMPANIES = ["Northwind Traders", "Acme Logistics", "Blue Harbor Hotels", "Globex Retail",
             "Initech Software", "Umbrella Clinics", "Stark Engineering", "Wayne Foods",
             "Hooli Media", "Vandelay Imports", "Soylent Farms", "Tyrell Robotics"]
TAGS = ["billing", "hardware", "login", "shipping", "vip", "bug", "how-to", "refund",
        "outage", "feature-request"]
