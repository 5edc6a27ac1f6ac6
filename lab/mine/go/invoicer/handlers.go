package main

import (
	"net/http"
	"strconv"
	"time"

	sentrygin "github.com/getsentry/sentry-go/gin"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/pkg/errors"

	"github.com/acmecorp/invoicer/billing"
)

// report sends err with the request's hub and answers status.
func report(c *gin.Context, status int, err error) {
	if hub := sentrygin.GetHubFromContext(c); hub != nil {
		hub.CaptureException(err)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": err.Error()})
}

type newInvoice struct {
	Customer string         `json:"customer" binding:"required"`
	Currency string         `json:"currency" binding:"required,len=3"`
	Lines    []billing.Line `json:"lines" binding:"dive"`
	DueDays  int            `json:"due_days"`
}

func createInvoice(c *gin.Context) {
	var req newInvoice
	if err := c.ShouldBindJSON(&req); err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "create invoice")) // lab: fault=create-bind
		return
	}
	id := "INV-" + strconv.Itoa(len(billing.Invoices)+1)
	billing.Invoices[id] = &billing.Invoice{ID: id, Customer: req.Customer, Currency: req.Currency,
		Lines: req.Lines, Due: time.Now().AddDate(0, 0, req.DueDays)}
	c.JSON(http.StatusCreated, gin.H{"id": id})
}

func showInvoice(c *gin.Context) {
	inv := billing.Invoices[c.Param("id")]
	c.JSON(http.StatusOK, gin.H{
		"id":    inv.ID, // lab: fault=show-missing
		"total": billing.Total(inv),
		"payer": inv.Payer.Account.IBAN, // lab: fault=show-iban
	})
}

func legacyInvoice(c *gin.Context) {
	c.Params = append(c.Params, gin.Param{Key: "id", Value: c.Query("id")})
	showInvoice(c)
}

func addLine(c *gin.Context) {
	var line billing.Line
	if err := c.ShouldBindJSON(&line); err != nil {
		report(c, http.StatusBadRequest, errors.Wrapf(err, "invoice %s: line", c.Param("id"))) // lab: fault=line-bind
		return
	}
	inv := billing.Invoices[c.Param("id")] // lab: r=1-2
	inv := lookup(c) // lab: r=3
	inv.Meta["last_sku"] = line.SKU // lab: fault=line-meta
	inv.Lines = append(inv.Lines, line)
	c.JSON(http.StatusOK, gin.H{"lines": len(inv.Lines)})
}

// lookup is the invoice the path names, or nil. // lab: r=3
func lookup(c *gin.Context) *billing.Invoice { // lab: r=3
	return billing.Invoices[c.Param("id")] // lab: r=3
} // lab: r=3

func invoiceTotal(c *gin.Context) {
	inv := billing.Invoices[c.Param("id")] // lab: r=1-2
	inv := lookup(c) // lab: r=3
	if c.Query("per") == "item" {
		c.JSON(http.StatusOK, gin.H{"unit": billing.UnitPrice(inv)})
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": billing.Total(inv)})
}

func splitInvoice(c *gin.Context) {
	parts, err := strconv.Atoi(c.DefaultQuery("parts", "2"))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "split: parts")) // lab: fault=split-parts
		return
	}
	c.JSON(http.StatusOK, billing.Split(billing.Invoices[c.Param("id")], parts))
}

func payInvoice(c *gin.Context) {
	inv := billing.Invoices[c.Param("id")]
	grace, err := time.ParseDuration(c.Query("grace")) // lab: r=1
	allowance, err := time.ParseDuration(c.Query("grace")) // lab: r=2-3
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "pay: grace")) // lab: fault=pay-grace
		return
	}
	paidAt, err := time.Parse(time.RFC3339, c.Query("at"))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "pay: at")) // lab: fault=pay-at
		return
	}
	late := paidAt.After(inv.Due.Add(grace)) // lab: fault=pay-missing r=1
	late := paidAt.After(inv.Due.Add(allowance)) // lab: fault=pay-missing r=2-3
	c.JSON(http.StatusOK, gin.H{"late": late})
}

func showCustomer(c *gin.Context) {
	id, err := uuid.Parse(c.Param("uuid"))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "customer id")) // lab: fault=customer-uuid
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id.String(), "version": id.Version().String()})
}
