#include "emulator/name_lists.hpp"

#include <array>
#include <cctype>
#include <string>

namespace ccteams::emulator {

namespace {

constexpr std::array<std::string_view, 212> kGivenNames = {
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Dorothy", "Kevin", "Carol", "Brian",
    "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
    "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Kathleen",
    "Gary", "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Helen", "Stephen",
    "Anna", "Larry", "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Emma",
    "Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Frank", "Debra",
    "Alexander", "Rachel", "Raymond", "Catherine", "Patrick", "Carolyn", "Jack", "Janet",
    "Dennis", "Ruth", "Jerry", "Maria", "Tyler", "Heather", "Aaron", "Diane", "José", "Virginia",
    "Adam", "Julie", "Henry", "Joyce", "Nathan", "Victoria", "Douglas", "Olivia", "Zachary",
    "Kelly", "Peter", "Christina", "Kyle", "Lauren", "Walter", "Joan", "Ethan", "Evelyn",
    "Jeremy", "Judith", "Harold", "Megan", "Keith", "Cheryl", "Christian", "Andrea", "Roger",
    "Hannah", "Noah", "Martha", "Gerald", "Jacqueline", "Carl", "Frances", "Terry", "Gloria",
    "Sean", "Ann", "Austin", "Teresa", "Arthur", "Kathryn", "Lawrence", "Sara", "Jesse", "Janice",
    "Dylan", "Jean", "Bryan", "Alice", "Joe", "Madison", "Jordan", "Doris", "Billy", "Abigail",
    "Bruce", "Julia", "Albert", "Judy", "Willie", "Grace", "Gabriel", "Denise", "Logan", "Amber",
    "Alan", "Marilyn", "Juan", "Beverly", "Wayne", "Danielle", "Roy", "Theresa", "Ralph", "Sophia",
    "Randy", "Marie", "Eugene", "Diana", "Vincent", "Brittany", "Russell", "Natalie", "Elijah",
    "Isabella", "Louis", "Charlotte", "Bobby", "Rose", "Philip", "Alexis", "Johnny", "Kayla",
    "Zoë", "Björn", "Chloé", "Søren", "Renée", "François", "Inés", "Jürgen", "Anaïs", "Łukasz",
    "Mélanie", "Åsa"};

constexpr std::array<std::string_view, 207> kSurnames = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson",
    "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson",
    "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West",
    "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
    "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
    "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
    "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
    "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Muñoz", "Hunt", "Hicks",
    "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar",
    "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson",
    "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn",
    "O'Brien", "Müller", "Sørensen", "Núñez", "Jäger", "Lindqvist", "Dvořák", "Çelik",
    "Åberg", "Gómez"};

constexpr std::array<std::string_view, 12> kDepartments = {
    "Billing", "Sales", "Support", "Engineering", "Finance", "HR",
    "Legal", "Marketing", "Operations", "IT", "Product", "Customer Success"};

constexpr std::array<std::array<std::string_view, 4>, 12> kTitles = {{
    {"Billing Specialist", "Billing Analyst", "Collections Lead", "Billing Manager"},
    {"Account Executive", "Sales Engineer", "Sales Manager", "Inside Sales Representative"},
    {"Support Engineer", "Technical Support Specialist", "Escalation Engineer", "Support Lead"},
    {"Software Engineer", "Senior Software Engineer", "Engineering Manager", "QA Engineer"},
    {"Accountant", "Financial Analyst", "Controller", "Payroll Specialist"},
    {"HR Generalist", "Recruiter", "HR Business Partner", "People Operations Manager"},
    {"Legal Counsel", "Paralegal", "Compliance Officer", "Contracts Manager"},
    {"Marketing Manager", "Content Strategist", "Product Marketing Manager", "SEO Specialist"},
    {"Operations Manager", "Logistics Coordinator", "Facilities Manager", "Operations Analyst"},
    {"Systems Administrator", "Network Engineer", "IT Support Technician", "Security Analyst"},
    {"Product Manager", "UX Designer", "Product Owner", "Technical Writer"},
    {"Customer Success Manager", "Onboarding Specialist", "Renewals Manager", "CSM Lead"},
}};

constexpr std::array<std::string_view, 6> kOffices = {"Redmond", "Dublin", "Berlin",
                                                      "Singapore", "São Paulo", "Remote"};

// Latin-1 supplement and Latin Extended-A letters used in the lists, as UTF-8, mapped to ASCII.
struct Fold {
  std::string_view utf8;
  std::string_view ascii;
};
constexpr std::array<Fold, 26> kFolds = {{
    {"é", "e"}, {"ë", "e"}, {"è", "e"}, {"ö", "o"}, {"ø", "o"}, {"ó", "o"}, {"ü", "u"},
    {"ú", "u"}, {"ñ", "n"}, {"ç", "c"}, {"Ç", "c"}, {"à", "a"}, {"á", "a"}, {"ä", "a"},
    {"å", "a"}, {"Å", "a"}, {"ï", "i"}, {"í", "i"}, {"Ł", "l"}, {"ł", "l"}, {"ř", "r"},
    {"Í", "i"}, {"Ø", "o"}, {"É", "e"}, {"Ü", "u"}, {"Ö", "o"},
}};

}  // namespace

std::span<const std::string_view> given_names() { return kGivenNames; }
std::span<const std::string_view> surnames() { return kSurnames; }
std::span<const std::string_view> departments() { return kDepartments; }
std::span<const std::string_view> job_titles(std::size_t department_index) {
  return kTitles.at(department_index);
}
std::span<const std::string_view> office_locations() { return kOffices; }

std::string mail_local_part(std::string_view name) {
  std::string out;
  std::size_t i = 0;
  while (i < name.size()) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& f : kFolds) {
      if (name.substr(i, f.utf8.size()) == f.utf8) {
        out += f.ascii;
        i += f.utf8.size();
        folded = true;
        break;
      }
    }
    if (!folded) {
      // An unknown multi-byte letter is dropped whole rather than split into junk bytes.
      ++i;
      while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

}  // namespace ccteams::emulator
