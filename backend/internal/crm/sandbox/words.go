package sandbox

// Word lists the data set generator draws from. Changing them changes the data
// set (and the golden hash in the tests), so append rather than edit.

var firstNames = []string{
	"Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas",
	"Mia", "Mateo", "Amelia", "Levi", "Harper", "Ethan", "Evelyn", "James", "Abigail", "Benjamin",
	"Emily", "Henry", "Ella", "Jack", "Chloe", "Samuel", "Grace", "David", "Nora", "Daniel",
	"Priya", "Arjun", "Mei", "Hiroshi", "Fatima", "Omar", "Ingrid", "Lars", "Chiara", "Luca",
	"Camille", "Julien", "Zofia", "Piotr", "Ana", "Diego", "Yara", "Kwame", "Leila", "Tariq",
	"Hannah", "Felix", "Clara", "Jonas", "Elena", "Marco", "Sara", "Ravi", "Aiko", "Tomás",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
	"Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright",
	"Patel", "Sharma", "Chen", "Wang", "Nakamura", "Tanaka", "Schmidt", "Müller", "Rossi", "Bianchi",
	"Dubois", "Lefebvre", "Kowalski", "Nowak", "Silva", "Santos", "Haddad", "Mensah", "Okafor", "Andersson",
	"Larsen", "Novak", "Fischer", "Weber", "Costa", "Moreau", "O'Brien", "Murphy", "Kelly", "Nguyen",
}

var companyHeads = []string{
	"Bright", "Blue", "North", "Silver", "Iron", "Cedar", "Summit", "Harbor", "Pioneer", "Atlas",
	"Nimbus", "Quantum", "Vertex", "Beacon", "Crescent", "Evergreen", "Falcon", "Granite", "Horizon", "Keystone",
	"Lumen", "Meridian", "Nova", "Orbit", "Pinnacle", "Redwood", "Sterling", "Terra", "Union", "Vantage",
	"Willow", "Zenith", "Apex", "Bluebird", "Copper", "Delta", "Ember", "Fjord", "Gale", "Helix",
}

var companyTails = []string{
	"wave", "path", "stack", "forge", "works", "labs", "logic", "point", "bridge", "field",
	"line", "grid", "scale", "ware", "mark", "hub", "leaf", "stone", "light", "sight",
}

var companyForms = []string{"", "", "", " Inc.", " Ltd", " GmbH", " Group", " Systems", " Solutions", " Technologies"}

var tlds = []string{".com", ".com", ".com", ".io", ".co", ".de", ".co.uk", ".fr", ".net", ".ai"}

type place struct{ City, Country, Dial string }

var places = []place{
	{"New York", "United States", "+1 212"}, {"San Francisco", "United States", "+1 415"},
	{"Austin", "United States", "+1 512"}, {"Chicago", "United States", "+1 312"},
	{"Boston", "United States", "+1 617"}, {"Seattle", "United States", "+1 206"},
	{"Toronto", "Canada", "+1 416"}, {"London", "United Kingdom", "+44 20"},
	{"Manchester", "United Kingdom", "+44 161"}, {"Dublin", "Ireland", "+353 1"},
	{"Berlin", "Germany", "+49 30"}, {"Munich", "Germany", "+49 89"},
	{"Paris", "France", "+33 1"}, {"Lyon", "France", "+33 4"},
	{"Amsterdam", "Netherlands", "+31 20"}, {"Stockholm", "Sweden", "+46 8"},
	{"Madrid", "Spain", "+34 91"}, {"Milan", "Italy", "+39 02"},
	{"Warsaw", "Poland", "+48 22"}, {"Zurich", "Switzerland", "+41 44"},
	{"Sydney", "Australia", "+61 2"}, {"Singapore", "Singapore", "+65 6"},
	{"Bangalore", "India", "+91 80"}, {"São Paulo", "Brazil", "+55 11"},
}

var jobTitles = []string{
	"CEO", "CFO", "CTO", "COO", "VP of Sales", "VP of Marketing", "Head of Operations", "Head of IT",
	"Sales Director", "Marketing Manager", "Account Executive", "Sales Development Representative",
	"Product Manager", "Software Engineer", "Engineering Manager", "Procurement Manager",
	"Finance Manager", "Office Manager", "HR Director", "Customer Success Manager",
	"Data Analyst", "Operations Manager", "Founder", "Director of Partnerships",
}

var products = []string{
	"Enterprise plan", "Team plan", "Starter plan", "Platform licence", "Implementation services",
	"Annual renewal", "Seat expansion", "Analytics add-on", "Premium support", "Pilot",
}

var campaigns = []string{
	"q3-2026-webinar", "brand-search", "spring-launch-2026", "retargeting-eu", "newsletter-oct",
	"g2-reviews", "partner-summit", "ebook-revops-guide", "black-friday-2025", "product-hunt",
}

var ticketSubjects = []string{
	"Cannot log in after password reset", "Invoice shows the wrong VAT number", "Export to CSV times out",
	"Request: dark mode", "SSO configuration help", "Charged twice this month", "API returns 500 on bulk update",
	"How do I add a seat?", "Dashboard loads slowly", "Webhook deliveries failing", "Need a W-9 form",
	"Feature request: custom roles", "Data import stuck at 80%", "Email notifications not arriving",
}

var lostReasons = []string{
	"Went with a competitor", "No budget this year", "Timing — revisit next quarter",
	"Missing integration with their ERP", "Champion left the company", "Price too high",
}

var nextSteps = []string{
	"Send revised proposal", "Security review call with IT", "Demo for the finance team",
	"Waiting on legal redlines", "Follow up after their board meeting", "Schedule onboarding kickoff",
}
