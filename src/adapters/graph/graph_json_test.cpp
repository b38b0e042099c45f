// Decoders against payloads copied from Microsoft's documented examples
// (microsoftgraph/microsoft-graph-docs-contrib) and graph-protocol.md.
#include <gtest/gtest.h>

#include "adapters/graph/graph_json.hpp"

namespace ccteams::graph {
namespace {

// user-list.md, with $select=…,department,accountEnabled and one user with unset values.
constexpr const char* kUsersPage = R"({
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$select=id&$skiptoken=RFNwdAIAAQAAAD8",
  "value": [
    {
      "businessPhones": ["+1 425 555 0109"],
      "displayName": "Adele Vance",
      "givenName": "Adele",
      "jobTitle": "Retail Manager",
      "mail": "AdeleV@contoso.com",
      "mobilePhone": null,
      "officeLocation": "18/2111",
      "preferredLanguage": "en-US",
      "surname": "Vance",
      "userPrincipalName": "AdeleV@contoso.com",
      "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
      "department": "Retail",
      "accountEnabled": true
    },
    {
      "businessPhones": [],
      "displayName": "Conf Room Adams",
      "givenName": null,
      "jobTitle": null,
      "mail": "Adams@contoso.com",
      "surname": null,
      "userPrincipalName": "Adams@contoso.com",
      "id": "6e7b768e-07e2-4810-8459-485f84f8f204",
      "department": null,
      "accountEnabled": false
    }
  ]
})";

TEST(DecodeUsersPage, DocumentedListPage) {
  auto r = decode_users_page(kUsersPage);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->users.size(), 2u);
  const auto& adele = r->users[0];
  EXPECT_EQ(adele.id, "87d349ed-44d7-43e1-9a83-5f2406dee5bd");
  EXPECT_EQ(adele.display_name, "Adele Vance");
  EXPECT_EQ(adele.department, "Retail");
  EXPECT_EQ(adele.job_title, "Retail Manager");
  EXPECT_EQ(adele.business_phones, std::vector<std::string>{"+1 425 555 0109"});
  EXPECT_EQ(adele.account_enabled, true);
  const auto& room = r->users[1];
  EXPECT_FALSE(room.given_name.has_value());  // null
  EXPECT_FALSE(room.department.has_value());
  EXPECT_TRUE(room.business_phones.empty());
  EXPECT_EQ(room.account_enabled, false);
  EXPECT_EQ(r->next_link,
            "https://graph.microsoft.com/v1.0/users?$select=id&$skiptoken=RFNwdAIAAQAAAD8");
  EXPECT_FALSE(r->delta_link.has_value());
  EXPECT_TRUE(r->removed.empty());
}

// delta-query-users.md: the last page carries @removed items and the deltaLink.
TEST(DecodeUsersPage, DeltaPageWithRemovedAndDeltaLink) {
  auto r = decode_users_page(R"({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "@odata.deltaLink": "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=oEcOySpF_hWYmTIUZBOIfPzcwisr_rPe8o9M54L45qEXQGmvQC6T2dbL-9O7nSU-njKhFiGlAZqewNAThmCVnNxqPu5gOBegrm1CaVZ-ZtFZ2tPOAO98OD9y0ao460",
    "value": [
      {"displayName": "testUser1", "givenName": "John", "jobTitle": "Sales", "surname": "Doe",
       "id": "ffff7b1a-13b6-4b44-8b69-be4fe1e3a9c1"},
      {"id": "ffff7b1a-13b6-4b44-8b69-be4fe1e3a9c2", "@removed": {"reason": "changed"}},
      {"id": "ffff7b1a-13b6-4b44-8b69-be4fe1e3a9c3", "@removed": {"reason": "deleted"}},
      {"id": "ffff7b1a-13b6-4b44-8b69-be4fe1e3a9c4", "@removed": {"reason": "archived"}}
    ]
  })");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->users[0].given_name, "John");
  EXPECT_TRUE(r->users[0].business_phones.empty());  // absent: not selected
  EXPECT_FALSE(r->users[0].account_enabled.has_value());
  ASSERT_EQ(r->removed.size(), 3u);
  EXPECT_EQ(r->removed[0].reason, RemovalReason::changed);
  EXPECT_EQ(r->removed[1].reason, RemovalReason::deleted);
  EXPECT_EQ(r->removed[2].reason, RemovalReason::other);
  EXPECT_EQ(r->removed[2].raw_reason, "archived");
  EXPECT_FALSE(r->next_link.has_value());
  ASSERT_TRUE(r->delta_link.has_value());
  EXPECT_NE(r->delta_link->find("$deltatoken=oEcOySpF"), std::string::npos);
}

TEST(DecodeUsersPage, EmptyLastDeltaPageStillCarriesTheLink) {
  auto r = decode_users_page(
      R"({"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x","value":[]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->users.empty());
  EXPECT_EQ(r->delta_link, "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x");
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;  // the exact "where: why"
};

class DecodeUsersPageRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecodeUsersPageRefuses, SaysWhereAndWhy) {
  auto r = decode_users_page(GetParam().text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeUsersPageRefuses,
    ::testing::Values(
        BadCase{"NoValue", R"({"@odata.nextLink":"x"})", "value: missing"},
        BadCase{"ValueNotArray", R"({"value":{}})", "value: expected an array, got an object"},
        BadCase{"RootArray", R"([])", "(root): expected an object, got an array"},
        // The doc's "shortened for readability" delta examples omit id; a real page never does.
        BadCase{"NoId", R"({"value":[{"displayName":"x"}]})", "value[0].id: missing"},
        BadCase{"IdNull", R"({"value":[{"id":null}]})", "value[0].id: expected a string, got null"},
        BadCase{"PhoneNotString", R"({"value":[{"id":"a"},{"id":"b","businessPhones":[1]}]})",
                "value[1].businessPhones[0]: expected a string, got a number"},
        BadCase{"EnabledString", R"({"value":[{"id":"a","accountEnabled":"true"}]})",
                "value[0].accountEnabled: expected true or false, got a string"},
        BadCase{"RemovedNotObject", R"({"value":[{"id":"a","@removed":"deleted"}]})",
                "value[0].@removed: expected an object, got a string"},
        BadCase{"BothLinks", R"({"@odata.nextLink":"a","@odata.deltaLink":"b","value":[]})",
                "(root): both @odata.nextLink and @odata.deltaLink are present"},
        BadCase{"Truncated", R"({"value":[)", "not valid JSON at byte 10: incomplete JSON"}),
    [](const auto& test) { return std::string(test.param.name); });

// cloudcommunications-getpresencesbyuserid.md, response example.
TEST(DecodePresences, DocumentedGetPresencesByUserId) {
  auto r = decode_presences(R"({
	"value": [{
			"id": "fa8bf3dc-eca7-46b7-bad1-db199b62afc3",
			"availability": "Busy",
			"activity": "InAMeeting"
		},
		{
			"id": "66825e03-7ef5-42da-9069-724602c31f6b",
			"availability": "Away",
			"activity": "Away"
		}
	]
})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].user_id, "fa8bf3dc-eca7-46b7-bad1-db199b62afc3");
  EXPECT_EQ((*r)[0].availability, "Busy");
  EXPECT_EQ((*r)[0].activity, "InAMeeting");
  EXPECT_FALSE((*r)[0].sequence_number.has_value());
  EXPECT_EQ((*r)[1].activity, "Away");
}

// presence-get.md (2024+): sequenceNumber, outOfOfficeSettings, statusMessage, workLocation.
TEST(DecodePresence, BareWithEveryField) {
  auto r = decode_presence(R"({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('1ff0..')/presence/$entity",
    "id": "dc74d9bb-6afe-433d-8eaa-e39d80d3a647",
    "availability": "Available",
    "activity": "Available",
    "sequenceNumber": "A0129311063",
    "statusMessage": {"message": {"content": "Out for lunch", "contentType": "text"},
                      "expiryDateTime": {"dateTime": "9999-12-31T23:59:59.9999999", "timeZone": "UTC"}},
    "outOfOfficeSettings": {"message": null, "isOutOfOffice": false},
    "workLocation": {"workLocationType": "office", "source": "manual"}
  })");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user_id, "dc74d9bb-6afe-433d-8eaa-e39d80d3a647");
  EXPECT_EQ(r->sequence_number, "A0129311063");
  EXPECT_EQ(r->out_of_office, false);
  EXPECT_FALSE(r->out_of_office_message.has_value());
  EXPECT_EQ(r->status_message, "Out for lunch");
}

TEST(DecodePresence, WrappedInValueAsTheCommunicationsPresencesExampleShows) {
  auto r = decode_presence(
      R"({"value":[{"id":"66825e03-7ef5-42da-9069-724602c31f6b","availability":"Available","activity":"Available"}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user_id, "66825e03-7ef5-42da-9069-724602c31f6b");
}

TEST(DecodePresence, ValuesAreKeptAsSentWhateverTheirCase) {
  // The 2025-12 doc revision lowercases values and lists Focusing; the decoder keeps them.
  auto r = decode_presence(R"({"id":"u1","availability":"doNotDisturb","activity":"Focusing"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->availability, "doNotDisturb");
  EXPECT_EQ(r->activity, "Focusing");
}

TEST(DecodePresence, DecryptedRichNotificationContent) {
  // changenotifications-for-presence.md, "Decrypted notifications with resource data".
  auto r = decode_presence(R"({"@odata.id":"users/u7/presence","@odata.type":"#microsoft.graph.presence",
                               "id":"u7","availability":"Busy","activity":"InACall"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->activity, "InACall");
}

TEST(DecodePresences, NamesTheFailingItem) {
  auto r = decode_presences(
      R"({"value":[{"id":"a","availability":"Busy","activity":"InACall"},{"id":"b","availability":"Away","activity":"Away"},
         {"id":"c","availability":"Away","activity":"Away"},{"id":"d","availability":null,"activity":"Away"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "value[3].availability: expected a string, got null");
}

TEST(DecodePresence, WrappedWithTwoItemsIsRefused) {
  auto r = decode_presence(
      R"({"value":[{"id":"a","availability":"Busy","activity":"InACall"},{"id":"b","availability":"Away","activity":"Away"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "value: expected exactly one presence, got 2");
}

}  // namespace
}  // namespace ccteams::graph
