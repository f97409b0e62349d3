package httpapi

// Flash sales (E6) in the OpenAPI table (openapi.go).

var flashOps = []op{
	{"POST", "/api/v1/flash-sales", "flash", "Schedule a flash sale on a SKU; its stock is taken from the SKU now (operators)", true, "FlashSaleInput", 201, "FlashSale", nil},
	{"GET", "/api/v1/flash-sales", "flash", "Sales not ended (soonest first), then those ended in the last 7 days", false, "", 200, "FlashSaleList", []string{"limit"}},
	{"GET", "/api/v1/flash-sales/{id}", "flash", "A sale with status, remaining stock and the server time for the countdown", false, "", 200, "FlashSale", nil},
	{"POST", "/api/v1/flash-sales/{id}/purchase", "flash", "Buy (header Idempotency-Key required): 201 an order pending payment at the sale price; " +
		"409 sold_out, 429 over_limit or rate_limited, 403 not_started or ended; a retried key gets the first answer", true, "FlashPurchaseInput", 201, "FlashReceipt", nil},
	{"POST", "/api/v1/flash-sales/{id}/end", "flash", "End a sale now: purchases stop, unsold units go back to the SKU (operators; 409 when already ended)", true, "", 200, "FlashSale", nil},
	{"GET", "/api/v1/flash-sales/{id}/orders", "flash", "A sale's orders, newest first, for audit (operators)", true, "", 200, "FlashSaleOrders", []string{"limit", "cursor"}},
}

var flashSchemas = map[string]any{
	"FlashSaleInput": obj(map[string]any{"sku_id": idStr(), "title": str(), "price": shopFen(), "stock": integer(),
		"per_user_limit": integer(), "starts_at": timeStr(), "ends_at": timeStr()}, "sku_id", "price", "stock", "per_user_limit", "starts_at", "ends_at"),
	"FlashSale": obj(map[string]any{"id": idStr(), "sku_id": idStr(), "product_id": idStr(), "store_id": idStr(), "title": str(),
		"price": shopFen(), "list_price": shopFen(), "stock": integer(), "remaining": integer(), "per_user_limit": integer(),
		"starts_at": timeStr(), "ends_at": timeStr(), "status": shopEnum("upcoming", "live", "sold_out", "ended"),
		"server_time": timeStr(), "bought": integer()}),
	"FlashSaleList":      obj(map[string]any{"items": arr(ref("FlashSale"))}, "items"),
	"FlashPurchaseInput": obj(map[string]any{"quantity": integer(), "address": ref("Address"), "address_id": idStr()}, "quantity"),
	"FlashSaleOrders": obj(map[string]any{"items": arr(obj(map[string]any{"order_id": idStr(), "buyer_id": idStr(),
		"quantity": integer(), "total": shopFen(), "status": str(), "created_at": timeStr()})), "next_cursor": str()}, "items"),
	"FlashReceipt": obj(map[string]any{"order_id": idStr(), "sale_id": idStr(), "quantity": integer(), "total": shopFen(),
		"pay_by": timeStr()}),
}

func init() {
	ops = append(ops, flashOps...)
	for k, v := range flashSchemas {
		schemas[k] = v
	}
}
