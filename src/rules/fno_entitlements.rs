//! The write operations of the FlexNet Entitlements API (Beta), with the rules of the
//! vendor document (`shared/seeds/flexnet-entitlements-api-beta.txt`; the maintenance line
//! item schema from its `MaintenanceLineItem` page, upstreams.md §3.5):
//!
//! | operation | vendor request | table |
//! |---|---|---|
//! | create an entitlement | `POST /v1/entitlement` | [`CREATE`] |
//! | add line items | `POST /v1/entitlement/{entitlementId}/line-items` | [`ADD_LINE_ITEMS`] |
//! | add maintenance line items | `POST /v1/entitlement/{entitlementId}/maintenance-line-items` | [`ADD_MAINTENANCE_LINE_ITEMS`] |
//! | update line item properties | `PATCH /v1/entitlement/{entitlementId}/additional-properties` | [`UPDATE_PROPERTIES`] |
//! | configure line item policies | `PATCH /v1/entitlement/{entitlementId}/line-items/{activationId}/policies` | [`CONFIGURE_POLICIES`] |
//!
//! The two `PATCH` operations are not in the seed document (its `LineItem` section lists no
//! operations); their paths are in Revenera's overview, the properties body in the REST
//! page `updateentitlementlineitemsproperties` and the policy body only in the GraphQL
//! twin (`PolicyInput`). Their tables hold what those pages state and no more (the values
//! of `AttributeType` and `PolicyTermUnit` are not listed anywhere: any text); the
//! simulator checks them, the edge does not map them (README, "Writes").
//!
//! Where the document says only "required" for a name, a blank one is refused too
//! (Bean Validation's `@NotBlank`); lists of line items must not be empty; enums compare
//! ignoring case (the document's own example sends `NEW_ORDER` for `new_order`); an
//! entitlement or activation id with `autoGenerate: true` is refused. Uniqueness of ids
//! ("unique across all entitlements and line items") only the vendor can check.

use super::Kind::{self, Date, MaxLen, Min, MinItems, NotWith, OneOf, Required, Type};
use super::Pattern::{Address, Id, NotBlank, NotOnlySpace};
use super::Ty::{Any, Arr, Bool, Int32, Obj, Str};
use super::{Operation, Rule};

const fn r(id: &'static str, at: &'static str, kind: Kind) -> Rule {
    Rule { id, at, kind }
}

/// `orderType`, as the document spells it.
pub const ORDER_TYPES: &[&str] = &[
    "new_order",
    "renewal_order",
    "upgrade_order",
    "upsell_order",
    "invalid_order",
];

/// `status` of an entitlement and `lineItemStatus` of a line item.
pub const STATES: &[&str] = &["draft", "deployed", "obsolete"];

/// `accountType` (the GraphQL twin's `AccountType`, less `UNKNOWN`, which only the vendor
/// assigns).
pub const ACCOUNT_TYPES: &[&str] = &[
    "PUBLISHER",
    "CUSTOMER",
    "CHANNEL_PARTNER",
    "SELF_REGISTERED",
];

/// `partnerTierName`.
pub const PARTNER_TIERS: &[&str] = &["END_CUSTOMER", "PARTNER_TIER_ONE"];

/// The entitlement's own members (`POST /v1/entitlement`).
const ENTITLEMENT: &[Rule] = &[
    r("entitlement.type", "", Type(Obj)),
    r("entitlementId.type", "/entitlementId", Type(Str)),
    r("entitlementId.length", "/entitlementId", MaxLen(255)),
    r("entitlementId.pattern", "/entitlementId", Kind::Pattern(Id)),
    r(
        "entitlementId.autoGenerate",
        "/entitlementId",
        NotWith("autoGenerate"),
    ),
    r("description.type", "/description", Type(Str)),
    r("description.length", "/description", MaxLen(2000)),
    r("allowPortalLogin.type", "/allowPortalLogin", Type(Bool)),
    r("shipToEmail.type", "/shipToEmail", Type(Str)),
    r("shipToEmail.length", "/shipToEmail", MaxLen(1000)),
    r("shipToAddress.type", "/shipToAddress", Type(Str)),
    r("shipToAddress.length", "/shipToAddress", MaxLen(1000)),
    r(
        "shipToAddress.pattern",
        "/shipToAddress",
        Kind::Pattern(Address),
    ),
    r("accounts.type", "/accounts", Type(Arr)),
    r("account.type", "/accounts/*", Type(Obj)),
    r(
        "account.accountId.required",
        "/accounts/*/accountId",
        Required,
    ),
    r("account.accountId.type", "/accounts/*/accountId", Type(Str)),
    r(
        "account.accountId.blank",
        "/accounts/*/accountId",
        Kind::Pattern(NotBlank),
    ),
    r(
        "account.accountName.type",
        "/accounts/*/accountName",
        Type(Str),
    ),
    r(
        "account.accountType.required",
        "/accounts/*/accountType",
        Required,
    ),
    r(
        "account.accountType.type",
        "/accounts/*/accountType",
        Type(Str),
    ),
    r(
        "account.accountType.enum",
        "/accounts/*/accountType",
        OneOf(ACCOUNT_TYPES),
    ),
    r(
        "account.partnerTierName.required",
        "/accounts/*/partnerTierName",
        Required,
    ),
    r(
        "account.partnerTierName.type",
        "/accounts/*/partnerTierName",
        Type(Str),
    ),
    r(
        "account.partnerTierName.enum",
        "/accounts/*/partnerTierName",
        OneOf(PARTNER_TIERS),
    ),
    r(
        "account.isCurrentOwner.type",
        "/accounts/*/isCurrentOwner",
        Type(Bool),
    ),
    r(
        "account.contactEmail.type",
        "/accounts/*/contactEmail",
        Type(Str),
    ),
    r("lineItems.required", "/lineItems", Required),
    r("autoDeploy.type", "/autoDeploy", Type(Bool)),
    r(
        "emailTemplateVariation.type",
        "/emailTemplateVariation",
        Type(Str),
    ),
    r(
        "emailTemplateVariation.pattern",
        "/emailTemplateVariation",
        Kind::Pattern(NotOnlySpace),
    ),
    r("attributes.type", "/attributes", Type(Arr)),
    r("attribute.type", "/attributes/*", Type(Obj)),
    r("attribute.name.required", "/attributes/*/name", Required),
    r("attribute.name.type", "/attributes/*/name", Type(Str)),
    r(
        "attribute.name.blank",
        "/attributes/*/name",
        Kind::Pattern(NotBlank),
    ),
    r("attribute.value.type", "/attributes/*/value", Type(Any)),
    r("autoGenerate.type", "/autoGenerate", Type(Bool)),
    r("status.type", "/status", Type(Str)),
    r("status.enum", "/status", OneOf(STATES)),
];

/// `lineItems`, the same in a create and in an add (`{lineItems: [LineItem]}`).
const LINE_ITEMS: &[Rule] = &[
    r("lineItems.type", "/lineItems", Type(Arr)),
    r("lineItems.minItems", "/lineItems", MinItems(1)),
    r("lineItem.type", "/lineItems/*", Type(Obj)),
    r(
        "lineItem.activationId.type",
        "/lineItems/*/activationId",
        Type(Str),
    ),
    r(
        "lineItem.activationId.length",
        "/lineItems/*/activationId",
        MaxLen(255),
    ),
    r(
        "lineItem.activationId.pattern",
        "/lineItems/*/activationId",
        Kind::Pattern(Id),
    ),
    r(
        "lineItem.activationId.autoGenerate",
        "/lineItems/*/activationId",
        NotWith("autoGenerate"),
    ),
    r(
        "lineItem.product.required",
        "/lineItems/*/product",
        Required,
    ),
    r("lineItem.product.type", "/lineItems/*/product", Type(Arr)),
    r(
        "lineItem.product.minItems",
        "/lineItems/*/product",
        MinItems(1),
    ),
    r("product.type", "/lineItems/*/product/*", Type(Obj)),
    r(
        "product.productName.required",
        "/lineItems/*/product/*/productName",
        Required,
    ),
    r(
        "product.productName.type",
        "/lineItems/*/product/*/productName",
        Type(Str),
    ),
    r(
        "product.productName.blank",
        "/lineItems/*/product/*/productName",
        Kind::Pattern(NotBlank),
    ),
    r(
        "product.productVersion.required",
        "/lineItems/*/product/*/productVersion",
        Required,
    ),
    r(
        "product.productVersion.type",
        "/lineItems/*/product/*/productVersion",
        Type(Str),
    ),
    r(
        "product.productVersion.blank",
        "/lineItems/*/product/*/productVersion",
        Kind::Pattern(NotBlank),
    ),
    r(
        "product.licenseModel.type",
        "/lineItems/*/product/*/licenseModel",
        Type(Obj),
    ),
    r(
        "licenseModel.licenseModelName.required",
        "/lineItems/*/product/*/licenseModel/licenseModelName",
        Required,
    ),
    r(
        "licenseModel.licenseModelName.type",
        "/lineItems/*/product/*/licenseModel/licenseModelName",
        Type(Str),
    ),
    r(
        "licenseModel.licenseModelName.blank",
        "/lineItems/*/product/*/licenseModel/licenseModelName",
        Kind::Pattern(NotBlank),
    ),
    r(
        "licenseModel.issuer.type",
        "/lineItems/*/product/*/licenseModel/issuer",
        Type(Str),
    ),
    r(
        "licenseModel.serialNumber.type",
        "/lineItems/*/product/*/licenseModel/serialNumber",
        Type(Str),
    ),
    r(
        "licenseModel.vendorString.type",
        "/lineItems/*/product/*/licenseModel/vendorString",
        Type(Str),
    ),
    r(
        "licenseModel.notice.type",
        "/lineItems/*/product/*/licenseModel/notice",
        Type(Str),
    ),
    r(
        "lineItem.quantity.type",
        "/lineItems/*/quantity",
        Type(Int32),
    ),
    r("lineItem.quantity.minimum", "/lineItems/*/quantity", Min(0)),
    r(
        "lineItem.quantityPerCopy.type",
        "/lineItems/*/quantityPerCopy",
        Type(Int32),
    ),
    r(
        "lineItem.quantityPerCopy.minimum",
        "/lineItems/*/quantityPerCopy",
        Min(1),
    ),
    r(
        "lineItem.isActivatable.type",
        "/lineItems/*/isActivatable",
        Type(Bool),
    ),
    r(
        "lineItem.isPermanent.type",
        "/lineItems/*/isPermanent",
        Type(Bool),
    ),
    r(
        "lineItem.expiryDate.type",
        "/lineItems/*/expiryDate",
        Type(Str),
    ),
    r("lineItem.expiryDate.date", "/lineItems/*/expiryDate", Date),
    r(
        "lineItem.startDate.required",
        "/lineItems/*/startDate",
        Required,
    ),
    r(
        "lineItem.startDate.type",
        "/lineItems/*/startDate",
        Type(Str),
    ),
    r("lineItem.startDate.date", "/lineItems/*/startDate", Date),
    r(
        "lineItem.attributes.type",
        "/lineItems/*/attributes",
        Type(Arr),
    ),
    r(
        "lineItem.attribute.type",
        "/lineItems/*/attributes/*",
        Type(Obj),
    ),
    r(
        "lineItem.attribute.name.required",
        "/lineItems/*/attributes/*/name",
        Required,
    ),
    r(
        "lineItem.attribute.name.type",
        "/lineItems/*/attributes/*/name",
        Type(Str),
    ),
    r(
        "lineItem.attribute.name.blank",
        "/lineItems/*/attributes/*/name",
        Kind::Pattern(NotBlank),
    ),
    r(
        "lineItem.attribute.value.type",
        "/lineItems/*/attributes/*/value",
        Type(Any),
    ),
    r(
        "lineItem.autoGenerate.type",
        "/lineItems/*/autoGenerate",
        Type(Bool),
    ),
    r(
        "lineItem.autoDeploy.type",
        "/lineItems/*/autoDeploy",
        Type(Bool),
    ),
    r(
        "lineItem.orderType.type",
        "/lineItems/*/orderType",
        Type(Str),
    ),
    r(
        "lineItem.orderType.enum",
        "/lineItems/*/orderType",
        OneOf(ORDER_TYPES),
    ),
    r(
        "lineItem.lineItemStatus.type",
        "/lineItems/*/lineItemStatus",
        Type(Str),
    ),
    r(
        "lineItem.lineItemStatus.enum",
        "/lineItems/*/lineItemStatus",
        OneOf(STATES),
    ),
];

/// The body of an add: an object with `lineItems`.
const ADD_BODY: &[Rule] = &[
    r("add.type", "", Type(Obj)),
    r("add.lineItems.required", "/lineItems", Required),
];

/// `maintenanceLineItems` (`{maintenanceLineItems: [MaintenanceLineItem]}`).
const MAINTENANCE: &[Rule] = &[
    r("maintenance.type", "", Type(Obj)),
    r(
        "maintenanceLineItems.required",
        "/maintenanceLineItems",
        Required,
    ),
    r(
        "maintenanceLineItems.type",
        "/maintenanceLineItems",
        Type(Arr),
    ),
    r(
        "maintenanceLineItems.minItems",
        "/maintenanceLineItems",
        MinItems(1),
    ),
    r(
        "maintenanceLineItem.type",
        "/maintenanceLineItems/*",
        Type(Obj),
    ),
    r(
        "maintenanceLineItem.activationId.type",
        "/maintenanceLineItems/*/activationId",
        Type(Str),
    ),
    r(
        "maintenanceLineItem.activationId.length",
        "/maintenanceLineItems/*/activationId",
        MaxLen(255),
    ),
    r(
        "maintenanceLineItem.activationId.pattern",
        "/maintenanceLineItems/*/activationId",
        Kind::Pattern(Id),
    ),
    r(
        "maintenanceLineItem.activationId.autoGenerate",
        "/maintenanceLineItems/*/activationId",
        NotWith("autoGenerate"),
    ),
    r(
        "maintenanceLineItem.maintenanceProduct.required",
        "/maintenanceLineItems/*/maintenanceProduct",
        Required,
    ),
    r(
        "maintenanceLineItem.maintenanceProduct.type",
        "/maintenanceLineItems/*/maintenanceProduct",
        Type(Obj),
    ),
    r(
        "maintenanceProduct.maintenanceProductName.required",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductName",
        Required,
    ),
    r(
        "maintenanceProduct.maintenanceProductName.type",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductName",
        Type(Str),
    ),
    r(
        "maintenanceProduct.maintenanceProductName.blank",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductName",
        Kind::Pattern(NotBlank),
    ),
    r(
        "maintenanceProduct.maintenanceProductVersion.required",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductVersion",
        Required,
    ),
    r(
        "maintenanceProduct.maintenanceProductVersion.type",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductVersion",
        Type(Str),
    ),
    r(
        "maintenanceProduct.maintenanceProductVersion.blank",
        "/maintenanceLineItems/*/maintenanceProduct/maintenanceProductVersion",
        Kind::Pattern(NotBlank),
    ),
    r(
        "maintenanceProduct.partNumber.type",
        "/maintenanceLineItems/*/maintenanceProduct/partNumber",
        Type(Str),
    ),
    r(
        "maintenanceLineItem.isPermanent.type",
        "/maintenanceLineItems/*/isPermanent",
        Type(Bool),
    ),
    r(
        "maintenanceLineItem.expiryDate.type",
        "/maintenanceLineItems/*/expiryDate",
        Type(Str),
    ),
    r(
        "maintenanceLineItem.expiryDate.date",
        "/maintenanceLineItems/*/expiryDate",
        Date,
    ),
    r(
        "maintenanceLineItem.startDate.required",
        "/maintenanceLineItems/*/startDate",
        Required,
    ),
    r(
        "maintenanceLineItem.startDate.type",
        "/maintenanceLineItems/*/startDate",
        Type(Str),
    ),
    r(
        "maintenanceLineItem.startDate.date",
        "/maintenanceLineItems/*/startDate",
        Date,
    ),
    r(
        "maintenanceLineItem.attributes.type",
        "/maintenanceLineItems/*/attributes",
        Type(Arr),
    ),
    r(
        "maintenanceLineItem.attribute.type",
        "/maintenanceLineItems/*/attributes/*",
        Type(Obj),
    ),
    r(
        "maintenanceLineItem.attribute.name.required",
        "/maintenanceLineItems/*/attributes/*/name",
        Required,
    ),
    r(
        "maintenanceLineItem.attribute.name.type",
        "/maintenanceLineItems/*/attributes/*/name",
        Type(Str),
    ),
    r(
        "maintenanceLineItem.attribute.name.blank",
        "/maintenanceLineItems/*/attributes/*/name",
        Kind::Pattern(NotBlank),
    ),
    r(
        "maintenanceLineItem.attribute.value.type",
        "/maintenanceLineItems/*/attributes/*/value",
        Type(Any),
    ),
    r(
        "maintenanceLineItem.autoGenerate.type",
        "/maintenanceLineItems/*/autoGenerate",
        Type(Bool),
    ),
    r(
        "maintenanceLineItem.autoDeploy.type",
        "/maintenanceLineItems/*/autoDeploy",
        Type(Bool),
    ),
];

/// `PATCH …/additional-properties`: `{lineItems: [{activationId, orderType,
/// parentActivationId, deploy, product: {…, licenseModel: {…}}, attributes: [{name, type,
/// value}]}]}`.
const PROPERTIES: &[Rule] = &[
    r("properties.type", "", Type(Obj)),
    r("properties.lineItems.required", "/lineItems", Required),
    r("properties.lineItems.type", "/lineItems", Type(Arr)),
    r("properties.lineItems.minItems", "/lineItems", MinItems(1)),
    r("properties.lineItem.type", "/lineItems/*", Type(Obj)),
    r(
        "properties.activationId.required",
        "/lineItems/*/activationId",
        Required,
    ),
    r(
        "properties.activationId.type",
        "/lineItems/*/activationId",
        Type(Str),
    ),
    r(
        "properties.activationId.length",
        "/lineItems/*/activationId",
        MaxLen(255),
    ),
    r(
        "properties.activationId.pattern",
        "/lineItems/*/activationId",
        Kind::Pattern(Id),
    ),
    r(
        "properties.orderType.type",
        "/lineItems/*/orderType",
        Type(Str),
    ),
    r(
        "properties.orderType.enum",
        "/lineItems/*/orderType",
        OneOf(ORDER_TYPES),
    ),
    r(
        "properties.parentActivationId.type",
        "/lineItems/*/parentActivationId",
        Type(Str),
    ),
    r(
        "properties.parentActivationId.pattern",
        "/lineItems/*/parentActivationId",
        Kind::Pattern(Id),
    ),
    r("properties.deploy.type", "/lineItems/*/deploy", Type(Bool)),
    r("properties.product.type", "/lineItems/*/product", Type(Obj)),
    r(
        "properties.product.productName.type",
        "/lineItems/*/product/productName",
        Type(Str),
    ),
    r(
        "properties.product.productVersion.type",
        "/lineItems/*/product/productVersion",
        Type(Str),
    ),
    r(
        "properties.product.partNumber.type",
        "/lineItems/*/product/partNumber",
        Type(Str),
    ),
    r(
        "properties.licenseModel.type",
        "/lineItems/*/product/licenseModel",
        Type(Obj),
    ),
    r(
        "properties.licenseModel.name.type",
        "/lineItems/*/product/licenseModel/name",
        Type(Str),
    ),
    r(
        "properties.licenseModel.issuer.type",
        "/lineItems/*/product/licenseModel/issuer",
        Type(Str),
    ),
    r(
        "properties.licenseModel.serialNumber.type",
        "/lineItems/*/product/licenseModel/serialNumber",
        Type(Str),
    ),
    r(
        "properties.licenseModel.vendorString.type",
        "/lineItems/*/product/licenseModel/vendorString",
        Type(Str),
    ),
    r(
        "properties.licenseModel.notice.type",
        "/lineItems/*/product/licenseModel/notice",
        Type(Str),
    ),
    r(
        "properties.licenseModel.overdraft.type",
        "/lineItems/*/product/licenseModel/overdraft",
        Type(Int32),
    ),
    r(
        "properties.licenseModel.maxBorrowInterval.type",
        "/lineItems/*/product/licenseModel/maxBorrowInterval",
        Type(Str),
    ),
    r(
        "properties.licenseModel.autoProvision.type",
        "/lineItems/*/product/licenseModel/autoProvision",
        Type(Bool),
    ),
    r(
        "properties.licenseModel.gracePeriodDays.type",
        "/lineItems/*/product/licenseModel/gracePeriodDays",
        Type(Int32),
    ),
    r(
        "properties.attributes.type",
        "/lineItems/*/attributes",
        Type(Arr),
    ),
    r(
        "properties.attribute.type",
        "/lineItems/*/attributes/*",
        Type(Obj),
    ),
    r(
        "properties.attribute.name.required",
        "/lineItems/*/attributes/*/name",
        Required,
    ),
    r(
        "properties.attribute.name.type",
        "/lineItems/*/attributes/*/name",
        Type(Str),
    ),
    r(
        "properties.attribute.name.blank",
        "/lineItems/*/attributes/*/name",
        Kind::Pattern(NotBlank),
    ),
    r(
        "properties.attribute.type.required",
        "/lineItems/*/attributes/*/type",
        Required,
    ),
    r(
        "properties.attribute.type.type",
        "/lineItems/*/attributes/*/type",
        Type(Str),
    ),
    r(
        "properties.attribute.value.type",
        "/lineItems/*/attributes/*/value",
        Type(Str),
    ),
];

/// `PATCH …/line-items/{activationId}/policies` (GraphQL `PolicyInput`).
const POLICIES: &[Rule] = &[
    r("policies.type", "", Type(Obj)),
    r(
        "policies.acpiGenerationIdLicense.type",
        "/acpiGenerationIdLicense",
        Type(Bool),
    ),
    r("policies.cancelLicense.type", "/cancelLicense", Type(Bool)),
    r(
        "policies.extraActivations.type",
        "/extraActivations",
        Type(Int32),
    ),
    r(
        "policies.virtualLicense.type",
        "/virtualLicense",
        Type(Bool),
    ),
    r("policies.rehosts.type", "/rehosts", Type(Obj)),
    r("policies.repairs.type", "/repairs", Type(Obj)),
    r("policies.returns.type", "/returns", Type(Obj)),
    r(
        "policy.rehosts.allowedCount.type",
        "/rehosts/allowedCount",
        Type(Int32),
    ),
    r(
        "policy.rehosts.policyTermDuration.type",
        "/rehosts/policyTermDuration",
        Type(Int32),
    ),
    r(
        "policy.rehosts.policyTermUnit.required",
        "/rehosts/policyTermUnit",
        Required,
    ),
    r(
        "policy.rehosts.policyTermUnit.type",
        "/rehosts/policyTermUnit",
        Type(Str),
    ),
    r(
        "policy.repairs.allowedCount.type",
        "/repairs/allowedCount",
        Type(Int32),
    ),
    r(
        "policy.repairs.policyTermDuration.type",
        "/repairs/policyTermDuration",
        Type(Int32),
    ),
    r(
        "policy.repairs.policyTermUnit.required",
        "/repairs/policyTermUnit",
        Required,
    ),
    r(
        "policy.repairs.policyTermUnit.type",
        "/repairs/policyTermUnit",
        Type(Str),
    ),
    r(
        "policy.returns.allowedCount.type",
        "/returns/allowedCount",
        Type(Int32),
    ),
    r(
        "policy.returns.policyTermDuration.type",
        "/returns/policyTermDuration",
        Type(Int32),
    ),
    r(
        "policy.returns.policyTermUnit.required",
        "/returns/policyTermUnit",
        Required,
    ),
    r(
        "policy.returns.policyTermUnit.type",
        "/returns/policyTermUnit",
        Type(Str),
    ),
];

/// `POST /v1/entitlement`: create an entitlement with its line items.
pub const CREATE: Operation = Operation {
    name: "fno_entitlements.create",
    parts: &[ENTITLEMENT, LINE_ITEMS],
    ids: &["/entitlementId", "/lineItems/*/activationId"],
};

/// `POST /v1/entitlement/{entitlementId}/line-items`: add line items.
pub const ADD_LINE_ITEMS: Operation = Operation {
    name: "fno_entitlements.add_line_items",
    parts: &[ADD_BODY, LINE_ITEMS],
    ids: &["/lineItems/*/activationId"],
};

/// `POST /v1/entitlement/{entitlementId}/maintenance-line-items`: add maintenance line
/// items.
pub const ADD_MAINTENANCE_LINE_ITEMS: Operation = Operation {
    name: "fno_entitlements.add_maintenance_line_items",
    parts: &[MAINTENANCE],
    ids: &["/maintenanceLineItems/*/activationId"],
};

/// `PATCH /v1/entitlement/{entitlementId}/additional-properties`: update line items'
/// properties (order type, parent, deployment, product details, attributes).
pub const UPDATE_PROPERTIES: Operation = Operation {
    name: "fno_entitlements.update_properties",
    parts: &[PROPERTIES],
    ids: &[],
};

/// `PATCH /v1/entitlement/{entitlementId}/line-items/{activationId}/policies`: configure a
/// line item's policies.
pub const CONFIGURE_POLICIES: Operation = Operation {
    name: "fno_entitlements.configure_policies",
    parts: &[POLICIES],
    ids: &[],
};

/// The write operations the edge maps (and validates with these tables).
pub const OPERATIONS: &[&Operation] = &[&CREATE, &ADD_LINE_ITEMS, &ADD_MAINTENANCE_LINE_ITEMS];

/// The write operations the simulator implements: the mapped ones and the two `PATCH`es.
pub const SIMULATED: &[&Operation] = &[
    &CREATE,
    &ADD_LINE_ITEMS,
    &ADD_MAINTENANCE_LINE_ITEMS,
    &UPDATE_PROPERTIES,
    &CONFIGURE_POLICIES,
];
